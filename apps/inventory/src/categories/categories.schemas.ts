import { z } from 'zod';
import {
  cursorPageSchema,
  isoDateTime,
  nonEmptyTrimmed,
  paginationQuery,
  uuidSchema,
} from '@mini/validation';

export const categoryParams = z.object({ categoryId: uuidSchema }).strict();

export const listCategoriesQuery = paginationQuery;

export const createCategoryBody = z
  .object({ name: nonEmptyTrimmed(100).meta({ example: 'Fasteners' }) })
  .strict()
  .meta({ example: { name: 'Fasteners' } });

export const categorySchema = z.object({ id: uuidSchema, name: z.string(), createdAt: isoDateTime }).meta({
  id: 'Category',
  example: {
    id: '5b0e7f3a-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
    name: 'Fasteners',
    createdAt: '2026-05-01T09:00:00.000Z',
  },
});

export const categoryPageSchema = cursorPageSchema(categorySchema, 'CategoryPage');
