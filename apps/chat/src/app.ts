import type express from 'express';
import { requireAuthFromConfig, type RedisRevocationCheck } from '@mini/auth';
import { createServiceApp } from '@mini/http';
import type { Logger } from '@mini/logger';
import { createApiRegistry } from '@mini/validation';
import type { Config } from './config.ts';
import type { Database } from './db.ts';
import { memberRoutes } from './members/members.routes.ts';
import { createMembersService } from './members/members.service.ts';
import { messageRoutes } from './messages/messages.routes.ts';
import { createMessagesService } from './messages/messages.service.ts';
import { noRoomEvents, type RoomEvents } from './realtime/room-events.ts';
import { createStore } from './repositories.ts';
import { roomRoutes } from './rooms/rooms.routes.ts';
import { createRoomsService } from './rooms/rooms.service.ts';

export interface AppDeps {
  config: Config;
  db: Database;
  logger: Logger;
  /** Refuses tokens of ended sessions (server.ts passes the Redis revocation list when REDIS_URL is set). */
  revocationList?: Pick<RedisRevocationCheck, 'isRevoked' | 'ping'>;
  /** Where stored changes are told to connected sockets (server.ts attaches socket.io to it); none by default. */
  events?: RoomEvents;
}

// Builds the Express app; never listens (server.ts does, tests use supertest on it).
export function createApp({
  config,
  db,
  logger,
  revocationList,
  events = noRoomEvents,
}: AppDeps): express.Express {
  const api = createApiRegistry({
    title: 'Chat service',
    version: '0.1.0',
    description:
      'Public, private and direct rooms with members and roles; messages with history, edits, deletes and read state.',
    authenticate: requireAuthFromConfig(config, revocationList),
  });

  const store = createStore(db);
  const rooms = createRoomsService(store, events);
  const members = createMembersService(store, events);
  const messages = createMessagesService(store, events);

  return createServiceApp({
    name: 'chat',
    config,
    logger,
    // Without its database chat can do nothing: unready. Without Redis it still serves, accepting the
    // tokens of ended sessions until they expire: degraded (200), so instances stay in rotation.
    readinessChecks: { database: () => db.ping() },
    ...(revocationList ? { optionalChecks: { redis: () => revocationList.ping() } } : {}),
    openapi: () => api.document(),
    routes: (app) => {
      app.use(roomRoutes(api, rooms));
      app.use(memberRoutes(api, members));
      app.use(messageRoutes(api, messages));
    },
  });
}
