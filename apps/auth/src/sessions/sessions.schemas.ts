import { z } from 'zod';
import { uuidSchema } from '@mini/validation';
import type { SessionRecord } from './sessions.repository.ts';

export const sessionSchema = z
  .object({
    id: uuidSchema,
    createdAt: z.string().meta({ example: '2026-05-01T12:00:00.000Z' }),
    lastUsedAt: z
      .string()
      .meta({ description: 'Sign-in or latest refresh.', example: '2026-05-01T12:30:00.000Z' }),
    expiresAt: z.string().meta({
      description: 'Absolute end, however often it is refreshed.',
      example: '2026-05-31T12:00:00.000Z',
    }),
    userAgent: z.string().nullable().meta({ example: 'curl/8.5.0' }),
    ip: z.string().nullable().meta({ example: '203.0.113.7' }),
    current: z
      .boolean()
      .meta({ description: 'True for the session of the access token making this request.' }),
  })
  .meta({ id: 'Session' });

export const sessionListSchema = z.object({ items: z.array(sessionSchema) }).meta({
  id: 'SessionList',
  example: {
    items: [
      {
        id: '6a0c7a52-5a7e-4d0e-9d52-0f6f3f1b2c3d',
        createdAt: '2026-05-01T12:00:00.000Z',
        lastUsedAt: '2026-05-01T12:30:00.000Z',
        expiresAt: '2026-05-31T12:00:00.000Z',
        userAgent: 'curl/8.5.0',
        ip: '203.0.113.7',
        current: true,
      },
    ],
  },
});

export function toSession(session: SessionRecord, currentSessionId: string): z.infer<typeof sessionSchema> {
  return {
    id: session.id,
    createdAt: session.createdAt.toISOString(),
    lastUsedAt: session.lastUsedAt.toISOString(),
    expiresAt: session.expiresAt.toISOString(),
    userAgent: session.userAgent,
    ip: session.ip,
    current: session.id === currentSessionId,
  };
}
