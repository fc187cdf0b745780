import { Router } from 'express';
import { idParams, type ApiRegistry } from '@mini/validation';
import { currentUser } from '../security/current-user.ts';
import { sessionListSchema, toSession } from './sessions.schemas.ts';
import { sessionNotFound, type SessionsService } from './sessions.service.ts';

const TAGS = ['Sessions'];

export function sessionsRoutes(api: ApiRegistry, sessions: SessionsService): Router {
  const router = Router();

  api.route(router, {
    method: 'get',
    path: '/auth/sessions',
    summary: "List the signed-in user's active sessions",
    description:
      'One per sign-in (device or browser), most recently used first; `current` marks the one making the request.',
    tags: TAGS,
    auth: true,
    responses: { 200: { description: 'Active sessions.', schema: sessionListSchema } },
    handler: async ({ req }) => {
      const user = currentUser(req);
      const items = await sessions.list(user.id);
      return { items: items.map((session) => toSession(session, user.sessionId)) };
    },
  });

  api.route(router, {
    method: 'delete',
    path: '/auth/sessions/:id',
    summary: 'End one of your sessions (sign a device out)',
    tags: TAGS,
    auth: true,
    params: idParams,
    responses: {
      204: { description: 'The session is ended; its tokens stop working.' },
      404: { description: 'No active session of yours has this id.', problems: [sessionNotFound()] },
    },
    handler: async ({ params, req }) => {
      await sessions.endOwn(currentUser(req).id, params.id);
    },
  });

  return router;
}
