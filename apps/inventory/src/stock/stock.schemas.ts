import { z } from 'zod';
import {
  cursorPageSchema,
  idempotencyKeyHeader,
  isoDateTime,
  nonEmptyTrimmed,
  paginationQuery,
  uuidSchema,
} from '@mini/validation';
import { MAX_INT, money, positiveQuantity } from '../shared/numbers.ts';

export const idempotentWriteHeaders = z.object({ 'Idempotency-Key': idempotencyKeyHeader }).strict();

const reference = nonEmptyTrimmed(200).optional().meta({
  description: 'What the movement is for: an order number, a delivery note ...',
  example: 'SO-1042',
});

const productId = uuidSchema.meta({ example: '0f9e8d7c-6b5a-4f3e-8d2c-1b0a9f8e7d6c' });
const locationId = uuidSchema.meta({ example: '8e7d6c5b-4a3f-4e2d-9c1b-0a9f8e7d6c5b' });

export const receiveBody = z
  .object({
    productId,
    locationId,
    quantity: positiveQuantity().meta({ example: 40 }),
    unitCost: money().optional().meta({
      description: "What one unit cost, in minor units; default: the product's unitCost.",
      example: 12,
    }),
    reference,
  })
  .strict()
  .meta({
    example: {
      productId: '0f9e8d7c-6b5a-4f3e-8d2c-1b0a9f8e7d6c',
      locationId: '8e7d6c5b-4a3f-4e2d-9c1b-0a9f8e7d6c5b',
      quantity: 40,
      reference: 'PO-7',
    },
  });

export const shipBody = z
  .object({ productId, locationId, quantity: positiveQuantity().meta({ example: 3 }), reference })
  .strict()
  .meta({
    example: {
      productId: '0f9e8d7c-6b5a-4f3e-8d2c-1b0a9f8e7d6c',
      locationId: '8e7d6c5b-4a3f-4e2d-9c1b-0a9f8e7d6c5b',
      quantity: 3,
      reference: 'SO-1042',
    },
  });

export const adjustBody = z
  .object({
    productId,
    locationId,
    quantity: z
      .int({ error: 'Expected a whole number' })
      .min(-MAX_INT)
      .max(MAX_INT)
      .refine((value) => value !== 0, { error: 'Must not be 0' })
      .meta({ description: 'Signed: + found, - lost or damaged.', example: -2 }),
    reason: nonEmptyTrimmed(500).meta({ example: 'Damaged in the stock count of May' }),
    reference,
  })
  .strict()
  .meta({
    example: {
      productId: '0f9e8d7c-6b5a-4f3e-8d2c-1b0a9f8e7d6c',
      locationId: '8e7d6c5b-4a3f-4e2d-9c1b-0a9f8e7d6c5b',
      quantity: -2,
      reason: 'Damaged in the stock count of May',
    },
  });

export const transferBody = z
  .object({
    productId,
    fromLocationId: locationId,
    toLocationId: uuidSchema.meta({ example: '2c9d8e7f-6a5b-4c3d-2e1f-0a9b8c7d6e5f' }),
    quantity: positiveQuantity().meta({ example: 10 }),
    reference,
  })
  .strict()
  .meta({
    example: {
      productId: '0f9e8d7c-6b5a-4f3e-8d2c-1b0a9f8e7d6c',
      fromLocationId: '8e7d6c5b-4a3f-4e2d-9c1b-0a9f8e7d6c5b',
      toLocationId: '2c9d8e7f-6a5b-4c3d-2e1f-0a9b8c7d6e5f',
      quantity: 10,
    },
  });

export const movementTypes = [
  'receipt',
  'shipment',
  'adjustment',
  'transfer',
  'fulfilment',
  'purchase_receipt',
] as const;

export const levelSchema = z
  .object({
    productId: uuidSchema,
    locationId: uuidSchema,
    onHand: z.int(),
    reserved: z.int(),
    available: z.int().meta({ description: 'onHand - reserved: what can be shipped, moved or reserved.' }),
    incoming: z
      .int()
      .meta({ description: 'Still to come on submitted or partially received purchase orders.' }),
  })
  .meta({
    id: 'StockLevel',
    example: {
      productId: '0f9e8d7c-6b5a-4f3e-8d2c-1b0a9f8e7d6c',
      locationId: '8e7d6c5b-4a3f-4e2d-9c1b-0a9f8e7d6c5b',
      onHand: 37,
      reserved: 0,
      available: 37,
      incoming: 0,
    },
  });

export const movementSchema = z
  .object({
    id: uuidSchema,
    type: z.enum(movementTypes),
    productId: uuidSchema,
    locationId: uuidSchema,
    quantity: z.int().meta({ description: 'Signed: + in, - out.' }),
    unitCost: z.int().nullable().meta({ description: 'On receipts: minor units per unit.' }),
    reason: z.string().nullable(),
    reference: z.string().nullable(),
    transferId: uuidSchema.nullable().meta({ description: 'Shared by the two legs of a transfer.' }),
    reservationId: uuidSchema
      .nullable()
      .meta({ description: 'On a fulfilment: the reservation it shipped.' }),
    purchaseOrderLineId: uuidSchema
      .nullable()
      .meta({ description: 'On a purchase receipt: the purchase-order line it received.' }),
    createdBy: uuidSchema.meta({ description: 'The user who made the change (their token `sub`).' }),
    createdAt: isoDateTime,
  })
  .meta({
    id: 'StockMovement',
    example: {
      id: '4d3c2b1a-0f9e-4d8c-b7a6-5f4e3d2c1b0a',
      type: 'shipment',
      productId: '0f9e8d7c-6b5a-4f3e-8d2c-1b0a9f8e7d6c',
      locationId: '8e7d6c5b-4a3f-4e2d-9c1b-0a9f8e7d6c5b',
      quantity: -3,
      unitCost: null,
      reason: null,
      reference: 'SO-1042',
      transferId: null,
      reservationId: null,
      purchaseOrderLineId: null,
      createdBy: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
      createdAt: '2026-05-01T10:00:00.000Z',
    },
  });

export const stockChangeSchema = z
  .object({ movement: movementSchema, level: levelSchema })
  .meta({ id: 'StockChange', description: 'The movement appended to the ledger, and the level after it.' });

export const transferSchema = z
  .object({
    transferId: uuidSchema,
    movements: z.array(movementSchema).meta({ description: 'The leg out of the source, then the leg in.' }),
    levels: z.array(levelSchema).meta({ description: 'The source level, then the destination level.' }),
  })
  .meta({ id: 'Transfer' });

export const listLevelsQuery = paginationQuery
  .extend({ productId: uuidSchema.optional(), locationId: uuidSchema.optional() })
  .strict();

export const listMovementsQuery = paginationQuery
  .extend({
    productId: uuidSchema.optional(),
    locationId: uuidSchema.optional(),
    type: z.enum(movementTypes).optional(),
    from: isoDateTime.optional().meta({ description: 'Movements at or after this instant.' }),
    to: isoDateTime.optional().meta({ description: 'Movements before this instant.' }),
  })
  .strict();

export const levelPageSchema = cursorPageSchema(levelSchema, 'StockLevelPage');
export const movementPageSchema = cursorPageSchema(movementSchema, 'StockMovementPage');
