import { z } from 'zod';
import {
  cursorPageSchema,
  isoDateTime,
  nonEmptyTrimmed,
  paginationQuery,
  uuidSchema,
} from '@mini/validation';

export const roomRoleSchema = z.enum(['owner', 'admin', 'member']).meta({ id: 'RoomRole' });
export const visibilitySchema = z.enum(['public', 'private', 'direct']).meta({
  id: 'RoomVisibility',
  description: 'public: anyone may list and join; private: invite only; direct: one room per pair of users.',
});

export const roomParams = z.object({ id: uuidSchema }).strict();
export const dmParams = z.object({ userId: uuidSchema }).strict();

export const listRoomsQuery = paginationQuery;

export const createRoomBody = z
  .object({
    name: nonEmptyTrimmed(100).meta({ example: 'general' }),
    visibility: z.enum(['public', 'private']).default('public'),
  })
  .strict()
  .meta({ example: { name: 'general', visibility: 'public' } });

export const updateRoomBody = z
  .object({ name: nonEmptyTrimmed(100) })
  .strict()
  .meta({ example: { name: 'announcements' } });

export const roomSchema = z
  .object({
    id: uuidSchema,
    name: z.string().nullable().meta({ description: 'Null for a direct room.' }),
    visibility: visibilitySchema,
    createdBy: uuidSchema,
    createdAt: isoDateTime,
    updatedAt: isoDateTime,
    role: roomRoleSchema
      .nullable()
      .meta({ description: 'Your role in the room; null when you are not a member.' }),
  })
  .meta({
    id: 'Room',
    example: {
      id: '0b6c1d2e-3f4a-4b5c-8d6e-7f8091a2b3c4',
      name: 'general',
      visibility: 'public',
      createdBy: '9b2e4c1a-6d3f-4a8b-9c7e-2f1a0b3c4d5e',
      createdAt: '2026-05-01T09:00:00.000Z',
      updatedAt: '2026-05-01T09:00:00.000Z',
      role: 'owner',
    },
  });

export const roomWithUnreadSchema = roomSchema
  .extend({
    unreadCount: z.number().int().min(0).nullable().meta({
      description:
        'Messages by others after your read cursor (POST /rooms/{id}/read); null when not a member.',
    }),
  })
  .meta({ id: 'RoomWithUnread', example: { ...(roomSchema.meta()?.example as object), unreadCount: 3 } });

export const roomPageSchema = cursorPageSchema(roomWithUnreadSchema, 'RoomPage');
