import type express from 'express';
import { authApiClientFromConfig, requireAuthFromConfig, type RedisRevocationCheck } from '@mini/auth';
import { createServiceApp } from '@mini/http';
import type { Logger } from '@mini/logger';
import { createApiRegistry } from '@mini/validation';
import { articlesRoutes } from './articles/articles.routes.ts';
import { createArticlesService } from './articles/articles.service.ts';
import { commentsRoutes } from './comments/comments.routes.ts';
import { createCommentsService } from './comments/comments.service.ts';
import type { Config } from './config.ts';
import { favoritesRoutes } from './favorites/favorites.routes.ts';
import { createFavoritesService } from './favorites/favorites.service.ts';
import type { Database } from './db.ts';
import {
  REALWORLD_PREFIX,
  realWorldErrorHandler,
  realWorldNotFound,
  withRealWorldErrors,
} from './realworld/envelope.ts';
import { optionalAuth } from './realworld/optional-auth.ts';
import { profilesRoutes } from './profiles/profiles.routes.ts';
import { createProfilesService } from './profiles/profiles.service.ts';
import { createStore } from './repositories.ts';
import { tagsRoutes } from './tags/tags.routes.ts';
import { createTagsService } from './tags/tags.service.ts';
import { createAccounts, type Accounts } from './users/accounts.ts';
import { usersRoutes } from './users/users.routes.ts';
import { createUsersService } from './users/users.service.ts';

export interface AppDeps {
  config: Config;
  db: Database;
  logger: Logger;
  /** The auth service's account API; built from AUTH_URL unless a test passes its own. */
  accounts?: Accounts;
  /** Refuses tokens of ended sessions (server.ts passes the Redis revocation list when REDIS_URL is set). */
  revocationList?: Pick<RedisRevocationCheck, 'isRevoked' | 'ping'>;
}

// Builds the Express app; never listens (server.ts does, tests use supertest on it).
export function createApp({ config, db, logger, accounts, revocationList }: AppDeps): express.Express {
  const authenticate = requireAuthFromConfig(config, revocationList);
  const api = createApiRegistry({
    title: 'Blog service',
    version: '0.1.0',
    description:
      'The RealWorld (Conduit) API under `/api`, with its `{ "errors": { "field": ["message"] } }` envelope; ' +
      'accounts live in the auth service.',
    authenticate,
  });

  const store = createStore(db);
  const users = createUsersService(store, accounts ?? createAccounts(authApiClientFromConfig(config)));
  const profiles = createProfilesService(store);
  const articles = createArticlesService(store);
  const comments = createCommentsService(store);
  const favorites = createFavoritesService(store);
  const tags = createTagsService(store);

  return createServiceApp({
    name: 'blog',
    config,
    logger,
    // Without its database the service can do nothing: unready. Without Redis it still serves, accepting
    // the tokens of ended sessions until they expire: degraded (200), so instances stay in rotation.
    readinessChecks: { database: () => db.ping() },
    ...(revocationList ? { optionalChecks: { redis: () => revocationList.ping() } } : {}),
    openapi: () => withRealWorldErrors(api.document()),
    routes: (app) => {
      app.use(usersRoutes(api, users));
      app.use(profilesRoutes(api, profiles, optionalAuth(authenticate)));
      app.use(articlesRoutes(api, articles, optionalAuth(authenticate)));
      app.use(commentsRoutes(api, comments, optionalAuth(authenticate)));
      app.use(favoritesRoutes(api, favorites));
      app.use(tagsRoutes(api, tags));
      // Everything under /api answers in RealWorld's envelope, errors of the kit's own middleware included
      // (malformed JSON, wrong media type): they reach this handler too.
      app.use(REALWORLD_PREFIX, realWorldNotFound);
      app.use(REALWORLD_PREFIX, realWorldErrorHandler(logger));
    },
  });
}
