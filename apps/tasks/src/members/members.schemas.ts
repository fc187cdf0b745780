import { z } from 'zod';
import { cursorPageSchema, isoDateTime, paginationQuery, uuidSchema } from '@mini/validation';
import { projectRoleSchema } from '../projects/projects.schemas.ts';

export const memberParams = z.object({ projectId: uuidSchema, userId: uuidSchema }).strict();

export const listMembersQuery = paginationQuery;

export const addMemberBody = z
  .object({
    username: z.string().trim().min(1).max(64).meta({ example: 'grace' }),
    role: projectRoleSchema.default('editor'),
  })
  .strict()
  .meta({ example: { username: 'grace', role: 'editor' } });

export const changeRoleBody = z
  .object({ role: projectRoleSchema })
  .strict()
  .meta({ example: { role: 'viewer' } });

export const memberSchema = z
  .object({
    userId: uuidSchema,
    username: z.string(),
    displayName: z.string().nullable(),
    role: projectRoleSchema,
    addedBy: uuidSchema,
    addedAt: isoDateTime,
  })
  .meta({
    id: 'Member',
    example: {
      userId: '5d0c7e3b-2a1f-4b9c-8e6d-7f3a2b1c0d9e',
      username: 'grace',
      displayName: 'Grace Hopper',
      role: 'editor',
      addedBy: '9b2e4c1a-6d3f-4a8b-9c7e-2f1a0b3c4d5e',
      addedAt: '2026-05-01T09:05:00.000Z',
    },
  });

export const memberPageSchema = cursorPageSchema(memberSchema, 'MemberPage');
