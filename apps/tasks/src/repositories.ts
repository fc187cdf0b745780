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

export function createStore(db: Database): Store {
  return {
    repos: repositoriesOn(db.prisma, poolSql(db.pool)),
    transaction: (fn) =>
      db.prisma.$transaction((tx) => fn(repositoriesOn(tx, transactionSql(tx))), { timeout: 10_000 }),
  };
}
