import { z } from 'zod';
import {
  cursorPageSchema,
  isoDateTime,
  nonEmptyTrimmed,
  paginationQuery,
  queryBoolean,
  uuidSchema,
} from '@mini/validation';

export const projectRoleSchema = z
  .enum(['owner', 'editor', 'viewer'])
  .meta({ id: 'ProjectRole', example: 'editor' });

export const projectParams = z.object({ projectId: uuidSchema }).strict();

export const createProjectBody = z
  .object({
    name: nonEmptyTrimmed(120).meta({ example: 'Website relaunch' }),
    description: z
      .string()
      .trim()
      .max(2000)
      .nullable()
      .optional()
      .meta({ example: 'Everything for the May launch' }),
  })
  .strict()
  .meta({ example: { name: 'Website relaunch', description: 'Everything for the May launch' } });

export const updateProjectBody = z
  .object({
    name: nonEmptyTrimmed(120).optional(),
    description: z.string().trim().max(2000).nullable().optional(),
    archived: z
      .boolean()
      .optional()
      .meta({ description: 'Archive (true) or unarchive (false): archived projects are read-only.' }),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, { error: 'Send at least one field to change' })
  .meta({ example: { name: 'Website relaunch (phase 2)', archived: false } });

export const listProjectsQuery = paginationQuery
  .extend({
    archived: queryBoolean()
      .default(false)
      .meta({ description: 'List archived projects instead of active ones.' }),
  })
  .strict();

export const projectSchema = z
  .object({
    id: uuidSchema,
    name: z.string(),
    description: z.string().nullable(),
    archived: z.boolean(),
    archivedAt: isoDateTime.nullable(),
    role: projectRoleSchema.meta({ description: "The caller's role in this project." }),
    createdBy: uuidSchema,
    createdAt: isoDateTime,
    updatedAt: isoDateTime,
  })
  .meta({
    id: 'Project',
    example: {
      id: '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60',
      name: 'Website relaunch',
      description: 'Everything for the May launch',
      archived: false,
      archivedAt: null,
      role: 'owner',
      createdBy: '9b2e4c1a-6d3f-4a8b-9c7e-2f1a0b3c4d5e',
      createdAt: '2026-05-01T09:00:00.000Z',
      updatedAt: '2026-05-01T09:00:00.000Z',
    },
  });

export const projectPageSchema = cursorPageSchema(projectSchema, 'ProjectPage');

export type ProjectDto = z.input<typeof projectSchema>;
