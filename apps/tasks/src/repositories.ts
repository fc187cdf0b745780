import { createStore as createKitStore, type Store as KitStore } from '@mini/db';
import { idempotencyKeys } from '@mini/idempotency';
import type { Database, DbClient, SqlRunner } from './db.ts';
import { membersRepository } from './members/members.repository.ts';
import { labelsRepository } from './labels/labels.repository.ts';
import { projectsRepository } from './projects/projects.repository.ts';
import { tasksRepository } from './tasks/tasks.repository.ts';

function repositoriesOn(db: DbClient, sql: SqlRunner) {
  return {
    projects: projectsRepository(db, sql),
    members: membersRepository(db),
    labels: labelsRepository(db),
    tasks: tasksRepository(db, sql),
    // The kit's Idempotency-Key table (@mini/idempotency), in the same transactions as the rest.
    idempotency: idempotencyKeys(db),
  };
}

export type Repositories = ReturnType<typeof repositoriesOn>;

/** The repositories, and `transaction(fn)` to run several of them at once (see @mini/db's createStore). */
export type Store = KitStore<Repositories>;

export function createStore(db: Database): Store {
  return createKitStore(db, repositoriesOn);
}
