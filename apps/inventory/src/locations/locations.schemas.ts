import { z } from 'zod';
import {
  cursorPageSchema,
  isoDateTime,
  nonEmptyTrimmed,
  paginationQuery,
  uuidSchema,
} from '@mini/validation';

export const locationParams = z.object({ locationId: uuidSchema }).strict();

export const listLocationsQuery = paginationQuery
  .extend({
    parentId: z
      .union([uuidSchema, z.literal('none')])
      .optional()
      .meta({ description: 'Only the locations inside this one; `none` for the top level (warehouses).' }),
  })
  .strict();

export const createLocationBody = z
  .object({
    name: nonEmptyTrimmed(100).meta({ example: 'Aisle 3, bin 2' }),
    parentId: uuidSchema
      .optional()
      .meta({ description: 'The location this one sits in (a bin in a warehouse).' }),
  })
  .strict()
  .meta({ example: { name: 'Aisle 3, bin 2', parentId: '2c9d8e7f-6a5b-4c3d-2e1f-0a9b8c7d6e5f' } });

export const locationSchema = z
  .object({ id: uuidSchema, name: z.string(), parentId: uuidSchema.nullable(), createdAt: isoDateTime })
  .meta({
    id: 'Location',
    example: {
      id: '8e7d6c5b-4a3f-4e2d-9c1b-0a9f8e7d6c5b',
      name: 'Aisle 3, bin 2',
      parentId: '2c9d8e7f-6a5b-4c3d-2e1f-0a9b8c7d6e5f',
      createdAt: '2026-05-01T09:00:00.000Z',
    },
  });

export const locationPageSchema = cursorPageSchema(locationSchema, 'LocationPage');
