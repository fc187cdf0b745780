import { createStore as createKitStore, type Store as KitStore } from '@mini/db';
import type { Database, DbClient } from './db.ts';
import { createOneTimeTokensRepository } from './one-time-tokens/one-time-tokens.repository.ts';
import { createRevocationOutboxRepository } from './revocation/revocation-outbox.repository.ts';
import { createSessionsRepository } from './sessions/sessions.repository.ts';
import { createLoginThrottleRepository } from './throttle/login-throttle.repository.ts';
import { createRateLimitRepository } from './throttle/rate-limit.repository.ts';
import { createUsersRepository } from './users/users.repository.ts';

function repositoriesOn(db: DbClient) {
  return {
    users: createUsersRepository(db),
    sessions: createSessionsRepository(db),
    oneTimeTokens: createOneTimeTokensRepository(db),
    revocationOutbox: createRevocationOutboxRepository(db),
    loginThrottle: createLoginThrottleRepository(db),
    rateLimits: createRateLimitRepository(db),
  };
}

export type Repositories = ReturnType<typeof repositoriesOn>;

/**
 * The repositories, and `transaction(fn)` to run several of them in one (see @mini/db's createStore). The
 * services own their transactions: a repository never opens one.
 */
export type Store = KitStore<Repositories>;

export function createStore(db: Database): Store {
  return createKitStore(db, repositoriesOn);
}
