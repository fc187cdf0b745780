import { z } from 'zod';
import {
  cursorPageSchema,
  isoDateTime,
  nonEmptyTrimmed,
  paginationQuery,
  uuidSchema,
} from '@mini/validation';
import { money, positiveQuantity } from '../shared/numbers.ts';

export const purchaseOrderParams = z.object({ purchaseOrderId: uuidSchema }).strict();

export const purchaseOrderStatuses = [
  'draft',
  'submitted',
  'partially_received',
  'received',
  'cancelled',
] as const;

export const listPurchaseOrdersQuery = paginationQuery
  .extend({ status: z.enum(purchaseOrderStatuses).optional() })
  .strict();

export const createPurchaseOrderBody = z
  .object({
    locationId: uuidSchema.meta({ description: 'Where the goods will be received.' }),
    reference: nonEmptyTrimmed(200).optional().meta({ example: 'PO-7' }),
    lines: z
      .array(
        z
          .object({
            productId: uuidSchema,
            quantity: positiveQuantity().meta({ example: 500 }),
            unitCost: money()
              .optional()
              .meta({ description: "Minor units; default: the product's unitCost." }),
          })
          .strict(),
      )
      .min(1)
      .max(100),
  })
  .strict()
  .meta({
    example: {
      locationId: '8e7d6c5b-4a3f-4e2d-9c1b-0a9f8e7d6c5b',
      reference: 'PO-7',
      lines: [{ productId: '0f9e8d7c-6b5a-4f3e-8d2c-1b0a9f8e7d6c', quantity: 500, unitCost: 11 }],
    },
  });

export const receivePurchaseOrderBody = z
  .object({
    lines: z
      .array(z.object({ lineId: uuidSchema, quantity: positiveQuantity().meta({ example: 200 }) }).strict())
      .min(1)
      .max(100),
  })
  .strict()
  .meta({ example: { lines: [{ lineId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', quantity: 200 }] } });

export const purchaseOrderSchema = z
  .object({
    id: uuidSchema,
    status: z.enum(purchaseOrderStatuses),
    locationId: uuidSchema,
    reference: z.string().nullable(),
    createdBy: uuidSchema,
    createdAt: isoDateTime,
    updatedAt: isoDateTime,
    lines: z.array(
      z.object({
        id: uuidSchema,
        productId: uuidSchema,
        quantity: z.int(),
        unitCost: z.int(),
        receivedQuantity: z.int(),
      }),
    ),
  })
  .meta({
    id: 'PurchaseOrder',
    example: {
      id: '7c6b5a4f-3e2d-4c1b-a09f-8e7d6c5b4a3f',
      status: 'partially_received',
      locationId: '8e7d6c5b-4a3f-4e2d-9c1b-0a9f8e7d6c5b',
      reference: 'PO-7',
      createdBy: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
      createdAt: '2026-05-01T08:00:00.000Z',
      updatedAt: '2026-05-02T08:00:00.000Z',
      lines: [
        {
          id: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
          productId: '0f9e8d7c-6b5a-4f3e-8d2c-1b0a9f8e7d6c',
          quantity: 500,
          unitCost: 11,
          receivedQuantity: 200,
        },
      ],
    },
  });

export const purchaseOrderPageSchema = cursorPageSchema(purchaseOrderSchema, 'PurchaseOrderPage');
