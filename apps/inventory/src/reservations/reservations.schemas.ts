import { z } from 'zod';
import { idempotencyKeyHeader, isoDateTime, nonEmptyTrimmed, uuidSchema } from '@mini/validation';
import { positiveQuantity } from '../shared/numbers.ts';
import { levelSchema, movementSchema } from '../stock/stock.schemas.ts';

export const reservationParams = z.object({ reservationId: uuidSchema }).strict();

export const idempotentHeaders = z.object({ 'Idempotency-Key': idempotencyKeyHeader }).strict();

export const createReservationBody = z
  .object({
    productId: uuidSchema,
    locationId: uuidSchema,
    quantity: positiveQuantity().meta({ example: 2 }),
    reference: nonEmptyTrimmed(200).optional().meta({ example: 'SO-1043' }),
    expiresInSeconds: z
      .int({ error: 'Expected a whole number' })
      .min(1)
      .max(30 * 24 * 3600)
      .optional()
      .meta({
        description: 'Let go of it automatically after this many seconds (at most 30 days).',
        example: 900,
      }),
  })
  .strict()
  .meta({
    example: {
      productId: '0f9e8d7c-6b5a-4f3e-8d2c-1b0a9f8e7d6c',
      locationId: '8e7d6c5b-4a3f-4e2d-9c1b-0a9f8e7d6c5b',
      quantity: 2,
      reference: 'SO-1043',
      expiresInSeconds: 900,
    },
  });

export const reservationStatuses = ['active', 'released', 'fulfilled', 'expired'] as const;

export const reservationSchema = z
  .object({
    id: uuidSchema,
    productId: uuidSchema,
    locationId: uuidSchema,
    quantity: z.int(),
    status: z.enum(reservationStatuses).meta({
      description: 'An active reservation past its expiresAt is `expired` at once.',
    }),
    reference: z.string().nullable(),
    expiresAt: isoDateTime.nullable(),
    createdBy: uuidSchema,
    createdAt: isoDateTime,
    updatedAt: isoDateTime,
  })
  .meta({
    id: 'Reservation',
    example: {
      id: '6f5e4d3c-2b1a-4f0e-9d8c-7b6a5f4e3d2c',
      productId: '0f9e8d7c-6b5a-4f3e-8d2c-1b0a9f8e7d6c',
      locationId: '8e7d6c5b-4a3f-4e2d-9c1b-0a9f8e7d6c5b',
      quantity: 2,
      status: 'active',
      reference: 'SO-1043',
      expiresAt: '2026-05-01T10:15:00.000Z',
      createdBy: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
      createdAt: '2026-05-01T10:00:00.000Z',
      updatedAt: '2026-05-01T10:00:00.000Z',
    },
  });

export const reservationChangeSchema = z
  .object({ reservation: reservationSchema, level: levelSchema })
  .meta({ id: 'ReservationChange', description: 'The reservation, and the level after the change.' });

export const fulfilmentSchema = z
  .object({ reservation: reservationSchema, movement: movementSchema, level: levelSchema })
  .meta({
    id: 'Fulfilment',
    description: 'The fulfilled reservation, its shipment in the ledger, the level.',
  });
