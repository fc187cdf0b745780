import { z } from 'zod';
import { cursorPageSchema, isoDateTime, uuidSchema } from '@mini/validation';
import type { MessageRecord } from './messages.repository.ts';

/** Longest message body, in characters (UTF-16 code units, as JavaScript counts them). */
export const MAX_MESSAGE_LENGTH = 4_000;

export const messageParams = z.object({ id: uuidSchema, messageId: uuidSchema }).strict();

const messageBody = z
  .string()
  .max(MAX_MESSAGE_LENGTH)
  .refine((body) => body.trim().length > 0, { error: 'Must not be empty' })
  .meta({ example: 'Hello, world' });

export const sendMessageBody = z
  .object({
    body: messageBody,
    clientMessageId: z.string().min(1).max(100).optional().meta({
      description:
        'Your id for this message (a uuid, say): sending it again, after a reconnect, returns the first message.',
      example: 'c-1714558800000-1',
    }),
  })
  .strict()
  .meta({ example: { body: 'Hello, world', clientMessageId: 'c-1714558800000-1' } });

export const editMessageBody = z
  .object({ body: messageBody })
  .strict()
  .meta({ example: { body: 'Hello, everyone' } });

export const historyQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(50).meta({ description: 'Page size (1 to 100).' }),
    before: uuidSchema
      .optional()
      .meta({ description: 'Messages older than this one, newest first (the default).' }),
    after: uuidSchema.optional().meta({ description: 'Messages newer than this one, oldest first.' }),
    cursor: z
      .string()
      .min(1)
      .max(512)
      .optional()
      .meta({ description: 'The nextCursor of the previous page.' }),
  })
  .strict()
  .refine((q) => [q.before, q.after, q.cursor].filter((v) => v !== undefined).length <= 1, {
    error: 'Give at most one of before, after and cursor',
    path: ['cursor'],
  });

export const readBody = z
  .object({ messageId: uuidSchema.meta({ description: 'The last message you have read.' }) })
  .strict()
  .meta({ example: { messageId: '6a1f0c2b-3d4e-4f5a-8b6c-7d8e9f0a1b2c' } });

export const messageSchema = z
  .object({
    id: uuidSchema,
    roomId: uuidSchema,
    authorId: uuidSchema,
    body: z.string().meta({ description: 'Empty once deleted.' }),
    createdAt: isoDateTime,
    editedAt: isoDateTime.nullable(),
    deletedAt: isoDateTime.nullable(),
    clientMessageId: z.string().nullable(),
  })
  .meta({
    id: 'Message',
    example: {
      id: '6a1f0c2b-3d4e-4f5a-8b6c-7d8e9f0a1b2c',
      roomId: '0b6c1d2e-3f4a-4b5c-8d6e-7f8091a2b3c4',
      authorId: '9b2e4c1a-6d3f-4a8b-9c7e-2f1a0b3c4d5e',
      body: 'Hello, world',
      createdAt: '2026-05-01T09:00:00.000Z',
      editedAt: null,
      deletedAt: null,
      clientMessageId: 'c-1714558800000-1',
    },
  });

export const messagePageSchema = cursorPageSchema(messageSchema, 'MessagePage');

export const readStateSchema = z
  .object({ roomId: uuidSchema, unreadCount: z.number().int().min(0) })
  .meta({ id: 'ReadState', example: { roomId: '0b6c1d2e-3f4a-4b5c-8d6e-7f8091a2b3c4', unreadCount: 0 } });

/** A stored message as clients get it, over REST and the socket alike (the seq stays inside). */
export const toMessageDto = ({ seq: _seq, ...message }: MessageRecord) => ({
  ...message,
  createdAt: message.createdAt.toISOString(),
  editedAt: message.editedAt?.toISOString() ?? null,
  deletedAt: message.deletedAt?.toISOString() ?? null,
});
