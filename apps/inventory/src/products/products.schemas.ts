import { z } from 'zod';
import {
  cursorPageSchema,
  ifMatchHeader,
  isoDateTime,
  nonEmptyTrimmed,
  paginationQuery,
  queryBoolean,
  uuidSchema,
} from '@mini/validation';
import { money, nonNegativeQuantity } from '../shared/numbers.ts';

export const productParams = z.object({ productId: uuidSchema }).strict();

const sku = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._\-/]{0,63}$/, {
    error: 'Letters, digits and . _ - / (1 to 64, starting with a letter or digit)',
  })
  .meta({ example: 'BOLT-M6-40' });

export const listProductsQuery = paginationQuery
  .extend({
    q: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .refine((value) => !value.includes('\u0000'), { error: 'NUL is not text' })
      .optional()
      .meta({ description: 'Part of the SKU or name (letter case does not matter).' }),
    categoryId: uuidSchema.optional(),
    active: queryBoolean().optional(),
  })
  .strict();

export const createProductBody = z
  .object({
    sku,
    name: nonEmptyTrimmed(200).meta({ example: 'Hex bolt M6 x 40' }),
    description: z.string().max(5_000).optional(),
    categoryId: uuidSchema.optional(),
    unit: nonEmptyTrimmed(20).optional().meta({ description: 'Default `each`.', example: 'each' }),
    unitCost: money().meta({ description: 'Minor units: 1250 is 12.50.', example: 12 }),
    unitPrice: money().optional().meta({ example: 30 }),
    reorderPoint: nonNegativeQuantity().optional().meta({ example: 100 }),
    reorderQuantity: nonNegativeQuantity().optional().meta({ example: 500 }),
  })
  .strict()
  .meta({
    example: {
      sku: 'BOLT-M6-40',
      name: 'Hex bolt M6 x 40',
      unitCost: 12,
      unitPrice: 30,
      reorderPoint: 100,
      reorderQuantity: 500,
    },
  });

export const updateProductBody = z
  .object({
    sku: sku.optional(),
    name: nonEmptyTrimmed(200).optional(),
    description: z.string().max(5_000).optional(),
    categoryId: uuidSchema.nullable().optional(),
    unit: nonEmptyTrimmed(20).optional(),
    unitCost: money().optional(),
    unitPrice: money().nullable().optional(),
    reorderPoint: nonNegativeQuantity().optional(),
    reorderQuantity: nonNegativeQuantity().optional(),
    active: z.boolean().optional(),
  })
  .strict()
  .meta({ example: { unitCost: 14, reorderPoint: 150 } });

export const conditionalWriteHeaders = z.object({ 'If-Match': ifMatchHeader }).strict();

export const productSchema = z
  .object({
    id: uuidSchema,
    sku: z.string(),
    name: z.string(),
    description: z.string(),
    categoryId: uuidSchema.nullable(),
    unit: z.string(),
    unitCost: z.int(),
    unitPrice: z.int().nullable(),
    reorderPoint: z.int(),
    reorderQuantity: z.int(),
    active: z.boolean(),
    version: z.int(),
    createdAt: isoDateTime,
    updatedAt: isoDateTime,
  })
  .meta({
    id: 'Product',
    example: {
      id: '0f9e8d7c-6b5a-4f3e-8d2c-1b0a9f8e7d6c',
      sku: 'BOLT-M6-40',
      name: 'Hex bolt M6 x 40',
      description: '',
      categoryId: '5b0e7f3a-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
      unit: 'each',
      unitCost: 12,
      unitPrice: 30,
      reorderPoint: 100,
      reorderQuantity: 500,
      active: true,
      version: 1,
      createdAt: '2026-05-01T09:00:00.000Z',
      updatedAt: '2026-05-01T09:00:00.000Z',
    },
  });

export const productPageSchema = cursorPageSchema(productSchema, 'ProductPage');
