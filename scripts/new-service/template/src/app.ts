import type express from 'express';
import {
  requireAuthFromConfig,
  type RedisRevocationCheck,
} from '@mini/auth';
import { createServiceApp } from '@mini/http';
import type { Logger } from '@mini/logger';
import { createApiRegistry } from '@mini/validation';
import type { Config } from './config.ts';
import type { Database } from './db.ts';
import { createStore } from './repositories.ts';
import { __name__Routes } from './__name__/__name__.routes.ts';
import { create__Name__Service } from './__name__/__name__.service.ts';

export interface AppDeps {
  config: Config;
  db: Database;
  logger: Logger;
  /** Refuses tokens of ended sessions (server.ts passes the Redis revocation list when REDIS_URL is set). */
  revocationList?: Pick<RedisRevocationCheck, 'isRevoked' | 'ping'>;
}

// Builds the Express app; never listens (server.ts does, tests use supertest on it).
export function createApp({ config, db, logger, revocationList }: AppDeps): express.Express {
  const api = createApiRegistry({
    title: '__Name__ service',
    version: '0.1.0',
    description: "Each user's own __name__: create, list (cursor pages), read, change and delete.",
    authenticate: requireAuthFromConfig(config, revocationList),
  });

  const store = createStore(db);
  const __name__Service = create__Name__Service(store);

  return createServiceApp({
    name: '__name__',
    config,
    logger,
    // Without its database the service can do nothing: unready. Without Redis it still serves, accepting
    // the tokens of ended sessions until they expire: degraded (200), so instances stay in rotation.
    readinessChecks: { database: () => db.ping() },
    ...(revocationList ? { optionalChecks: { redis: () => revocationList.ping() } } : {}),
    openapi: () => api.document(),
    routes: (app) => {
      app.use(__name__Routes(api, __name__Service));
    },
  });
}
