import { z } from 'zod';
import {
  cursorPageSchema,
  isoDateTime,
  nonEmptyTrimmed,
  paginationQuery,
  uuidSchema,
} from '@mini/validation';

// One set of schemas for validation, the OpenAPI document and the tests. `.strict()`: an unknown field is
// a 422, never silently stored.
export const __item__Params = z.object({ id: uuidSchema }).strict();

export const list__Name__Query = paginationQuery;

export const create__Item__Body = z
  .object({
    title: nonEmptyTrimmed(200).meta({ example: 'Groceries' }),
    body: z.string().max(10_000).optional().meta({ example: 'Milk, eggs, coffee' }),
  })
  .strict()
  .meta({ example: { title: 'Groceries', body: 'Milk, eggs, coffee' } });

export const update__Item__Body = z
  .object({
    title: nonEmptyTrimmed(200).optional(),
    body: z.string().max(10_000).optional(),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, { error: 'Send at least one field to change' })
  .meta({ example: { body: 'Milk, eggs, coffee, bread' } });

const example = {
  id: '7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d',
  title: 'Groceries',
  body: 'Milk, eggs, coffee',
  createdAt: '2026-05-01T09:10:00.000Z',
  updatedAt: '2026-05-01T09:10:00.000Z',
};

export const __item__Schema = z
  .object({
    id: uuidSchema,
    title: z.string(),
    body: z.string(),
    createdAt: isoDateTime,
    updatedAt: isoDateTime,
  })
  .strict()
  .meta({ id: '__Item__', example });

export const __item__PageSchema = cursorPageSchema(__item__Schema, '__Item__Page');

export type __Item__Dto = z.input<typeof __item__Schema>;
