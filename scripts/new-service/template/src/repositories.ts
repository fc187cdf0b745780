import { createStore as createKitStore, type Store as KitStore } from '@mini/db';
import type { Database, DbClient, SqlRunner } from './db.ts';
import { __name__Repository } from './__name__/__name__.repository.ts';

// Every repository of the service, on the client given: the pool's, or an open transaction's. A new
// feature's repository is one more line here. `sql` is for hand-written SQL (Prisma.sql), when a query
// outgrows Prisma's.
function repositoriesOn(db: DbClient, _sql: SqlRunner) {
  return {
    __name__: __name__Repository(db),
  };
}

export type Repositories = ReturnType<typeof repositoriesOn>;

/** The repositories, and `transaction(fn)` to run several of them at once (see @mini/db's createStore). */
export type Store = KitStore<Repositories>;

export function createStore(db: Database): Store {
  return createKitStore(db, repositoriesOn);
}
