import { setTimeout as sleep } from 'node:timers/promises';
import { isTransientConflict } from '@mini/db';
import { poolSql, transactionSql, type Database, type DbClient, type SqlRunner } from './db.ts';
import { idempotencyRepository } from './idempotency/idempotency.repository.ts';
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
    idempotency: idempotencyRepository(db),
  };
}

export type Repositories = ReturnType<typeof repositoriesOn>;

/**
 * The services' only door to the database: the repositories, and a way to run several of them in one
 * transaction (all of a bulk update, or a task with its activity rows and its idempotency record).
 */
export interface Store {
  repos: Repositories;
  transaction<T>(fn: (repos: Repositories) => Promise<T>): Promise<T>;
}

/** A transaction that lost a race is run again, at most this many times in all. */
const ATTEMPTS = 3;

export function createStore(db: Database): Store {
  return {
    repos: repositoriesOn(db.prisma, poolSql(db.pool)),
    /**
     * Locks are taken in one order everywhere (projects, then tasks in id order), but a deadlock (40P01)
     * or serialization failure (40001) can still happen in corners: Postgres then rolls the whole
     * transaction back, so it is simply run again after a short random pause. If it keeps losing, the
     * error reaches the kit's handler: 409 conflict-retry with Retry-After, never a 500.
     */
    async transaction(fn) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await db.prisma.$transaction((tx) => fn(repositoriesOn(tx, transactionSql(tx))), {
            timeout: 10_000,
          });
        } catch (err) {
          if (attempt >= ATTEMPTS || !isTransientConflict(err)) throw err;
          await sleep(5 + Math.random() * 20 * attempt);
        }
      }
    },
  };
}
