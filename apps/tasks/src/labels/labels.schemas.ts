import { z } from 'zod';
import {
  cursorPageSchema,
  isoDateTime,
  nonEmptyTrimmed,
  paginationQuery,
  uuidSchema,
} from '@mini/validation';

export const labelParams = z.object({ projectId: uuidSchema, labelId: uuidSchema }).strict();

export const listLabelsQuery = paginationQuery;

export const createLabelBody = z
  .object({
    name: nonEmptyTrimmed(50).meta({ example: 'bug' }),
    color: z
      .string()
      .regex(/^#[0-9a-fA-F]{6}$/, { error: 'Expected a colour such as #d73a4a' })
      .optional()
      .meta({ example: '#d73a4a' }),
  })
  .strict()
  .meta({ example: { name: 'bug', color: '#d73a4a' } });

export const labelSchema = z
  .object({
    id: uuidSchema,
    projectId: uuidSchema,
    name: z.string(),
    color: z.string(),
    createdAt: isoDateTime,
  })
  .meta({
    id: 'Label',
    example: {
      id: '7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d',
      projectId: '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60',
      name: 'bug',
      color: '#d73a4a',
      createdAt: '2026-05-01T09:10:00.000Z',
    },
  });

export const labelPageSchema = cursorPageSchema(labelSchema, 'LabelPage');
