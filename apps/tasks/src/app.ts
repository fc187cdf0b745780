import type express from 'express';
import { authApiClientFromConfig, requireAuthFromConfig, type RedisRevocationCheck } from '@mini/auth';
import { createServiceApp } from '@mini/http';
import type { Logger } from '@mini/logger';
import { createApiRegistry } from '@mini/validation';
import type { Config } from './config.ts';
import type { Database } from './db.ts';
import { labelRoutes } from './labels/labels.routes.ts';
import { createLabelsService } from './labels/labels.service.ts';
import { memberRoutes } from './members/members.routes.ts';
import { createMembersService } from './members/members.service.ts';
import { projectRoutes } from './projects/projects.routes.ts';
import { createProjectsService } from './projects/projects.service.ts';
import { createStore } from './repositories.ts';
import { taskRoutes } from './tasks/tasks.routes.ts';
import { createTasksService } from './tasks/tasks.service.ts';
import { createUserDirectory, type UserDirectory } from './users/user-directory.ts';

export interface AppDeps {
  config: Config;
  db: Database;
  logger: Logger;
  /** The auth service's user look-up; built from AUTH_URL unless a test passes its own. */
  directory?: UserDirectory;
  /** Refuses tokens of ended sessions (server.ts passes the Redis revocation list when REDIS_URL is set). */
  revocationList?: Pick<RedisRevocationCheck, 'isRevoked' | 'ping'>;
}

// Builds the Express app; never listens (server.ts does, tests use supertest on it).
export function createApp({ config, db, logger, directory, revocationList }: AppDeps): express.Express {
  const api = createApiRegistry({
    title: 'Tasks service',
    version: '0.1.0',
    description:
      'Projects, members with roles, labels and tasks: filters, keyset pagination, ETags, idempotent creates, ' +
      'bulk changes and a history of every change.',
    authenticate: requireAuthFromConfig(config, revocationList),
  });

  const store = createStore(db);
  const projects = createProjectsService(store);
  const members = createMembersService(
    store,
    directory ?? createUserDirectory(authApiClientFromConfig(config)),
  );
  const labels = createLabelsService(store);
  const tasks = createTasksService(store, { idempotencyTtlMs: config.IDEMPOTENCY_TTL_HOURS * 3_600_000 });

  return createServiceApp({
    name: 'tasks',
    config,
    logger,
    // Without its database tasks can do nothing: unready. Without Redis it still serves, accepting the
    // tokens of ended sessions until they expire: degraded (200), so instances stay in rotation.
    readinessChecks: { database: () => db.ping() },
    ...(revocationList ? { optionalChecks: { redis: () => revocationList.ping() } } : {}),
    openapi: () => api.document(),
    routes: (app) => {
      app.use(projectRoutes(api, projects));
      app.use(memberRoutes(api, members));
      app.use(labelRoutes(api, labels));
      app.use(taskRoutes(api, tasks));
    },
  });
}
