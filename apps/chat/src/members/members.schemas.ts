import { z } from 'zod';
import { cursorPageSchema, isoDateTime, paginationQuery, uuidSchema } from '@mini/validation';
import { roomRoleSchema } from '../rooms/rooms.schemas.ts';
import type { MemberRecord } from './members.repository.ts';

export const memberParams = z.object({ id: uuidSchema, userId: uuidSchema }).strict();

export const listMembersQuery = paginationQuery;

export const addMemberBody = z
  .object({
    userId: uuidSchema
      .optional()
      .meta({ description: 'Who to invite; left out (or no body at all): yourself.' }),
    role: roomRoleSchema
      .optional()
      .meta({ description: 'Default member; admin and owner only by an owner.' }),
  })
  .strict()
  .optional()
  .meta({ example: { userId: '5d0c7e3b-2a1f-4b9c-8e6d-7f3a2b1c0d9e', role: 'member' } });

export const changeRoleBody = z
  .object({ role: roomRoleSchema })
  .strict()
  .meta({ example: { role: 'admin' } });

export const memberSchema = z
  .object({ userId: uuidSchema, role: roomRoleSchema, joinedAt: isoDateTime })
  .meta({
    id: 'Member',
    example: {
      userId: '5d0c7e3b-2a1f-4b9c-8e6d-7f3a2b1c0d9e',
      role: 'member',
      joinedAt: '2026-05-01T09:05:00.000Z',
    },
  });

export const memberPageSchema = cursorPageSchema(memberSchema, 'MemberPage');

export const toMemberDto = (member: MemberRecord) => ({ ...member, joinedAt: member.joinedAt.toISOString() });
