import { Router } from 'express';
import { z } from 'zod';
import type { ApiRegistry } from '@mini/validation';
import type { DevOutbox } from '../mail/mailer.ts';

const outboxSchema = z.object({
  items: z.array(
    z.object({
      id: z.number().int(),
      sentAt: z.string(),
      to: z.string(),
      subject: z.string(),
      text: z.string(),
    }),
  ),
});

/** Mounted only when DEV_OUTBOX=true (refused in production) and no SMTP server is configured. */
export function outboxRoutes(api: ApiRegistry, outbox: DevOutbox): Router {
  const router = Router();
  api.route(router, {
    method: 'get',
    path: '/dev/outbox',
    summary: 'Emails the service would have sent (development only)',
    description: 'Newest first. Only with DEV_OUTBOX=true (pnpm dev); never in production or with SMTP_URL.',
    tags: ['Development'],
    responses: { 200: { description: 'The last 100 messages.', schema: outboxSchema } },
    handler: () => ({ items: [...outbox.messages].reverse() }),
  });
  return router;
}
