import type express from 'express';
import { createServiceApp } from '@mini/http';
import type { Logger } from '@mini/logger';
import { createApiRegistry } from '@mini/validation';
import type { Config } from './config.ts';
import type { Database } from './db.ts';

export interface AppDeps {
  config: Config;
  db: Database;
  logger: Logger;
}

// Builds the Express app; never listens (server.ts does, tests use supertest on it).
export function createApp({ config, db, logger }: AppDeps): express.Express {
  const api = createApiRegistry({
    title: 'Auth service',
    version: '0.1.0',
    description: 'Registration, login, sessions, roles and the keys every service trusts.',
  });

  return createServiceApp({
    name: 'auth',
    config,
    logger,
    readinessChecks: { database: () => db.ping() },
    openapi: () => api.document(),
    routes: () => {},
  });
}
