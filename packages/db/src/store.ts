import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { isTransientConflict } from './prisma.ts';

/**
 * A statement with bound parameters: what `Prisma.sql\`...\`` builds (its `text` uses $1, $2 ...), so every
 * value stays a parameter and never becomes SQL text.
 */
export interface SqlStatement {
  readonly text: string;
  readonly values: readonly unknown[];
}

/**
 * Runs hand-written SQL. Outside a transaction it goes straight to the pg pool (`poolSql`): measured on the
 * tasks list endpoint, Prisma's raw-query path (serialising the arguments, converting every column twice)
 * cost about half the throughput. Inside a transaction it must run on the transaction's own connection, so
 * it goes through Prisma there (`transactionSql`).
 */
export interface SqlRunner<S extends SqlStatement = SqlStatement> {
  query<T>(sql: S): Promise<T[]>;
}

// Named (prepared) statements let Postgres skip parsing and, once it settles on a generic plan, planning:
// measured on tasks, that halves the database time of the membership check and the list page. Each distinct
// SQL text is prepared once per connection and kept for the connection's life, so only the first
// MAX_PREPARED texts get a name; any further ones (rare filter combinations) run unnamed.
export const MAX_PREPARED_STATEMENTS = 200;

export function poolSql<S extends SqlStatement = SqlStatement>(
  pool: Pick<pg.Pool, 'query'>,
  options: { maxPrepared?: number } = {},
): SqlRunner<S> {
  const maxPrepared = options.maxPrepared ?? MAX_PREPARED_STATEMENTS;
  const names = new Map<string, string>();
  return {
    async query<T>(sql: S) {
      let name = names.get(sql.text);
      if (name === undefined && names.size < maxPrepared) {
        // The name is derived from the text, so every connection (and every process) agrees on it.
        name = `mini_${createHash('sha1').update(sql.text).digest('hex').slice(0, 24)}`;
        names.set(sql.text, name);
      }
      const values = sql.values as unknown[];
      const result = await pool.query(
        name === undefined ? { text: sql.text, values } : { name, text: sql.text, values },
      );
      return result.rows as T[];
    },
  };
}

/** What `transactionSql` needs of a Prisma transaction client (any app's generated one). */
export interface RawQueryClient<S extends SqlStatement = SqlStatement> {
  $queryRaw<T = unknown>(query: S): PromiseLike<T>;
}

export function transactionSql<S extends SqlStatement>(tx: RawQueryClient<S>): SqlRunner<S> {
  return { query: async <T>(sql: S) => tx.$queryRaw<T[]>(sql) };
}

/** What `createStore` needs of an app's generated PrismaClient: interactive transactions. */
export interface TransactionalClient<Tx> {
  $transaction<T>(fn: (tx: Tx) => Promise<T>, options?: { timeout?: number }): PromiseLike<T>;
}

/**
 * The services' only door to the database: the repositories, and a way to run several of them in one
 * transaction. A service owns its transactions (`store.transaction(tx => ...)`); a repository never opens
 * one, so the service decides what commits together (a task with its history and its Idempotency-Key).
 */
export interface Store<R> {
  repos: R;
  transaction<T>(fn: (repos: R) => Promise<T>): Promise<T>;
}

export interface StoreOptions {
  /** A transaction that lost a race is run this many times in all. Default 3. */
  attempts?: number;
  /** Prisma's interactive-transaction timeout. Default 10 s. */
  timeoutMs?: number;
}

/**
 * Builds a Store from an app's database handle (`createPrisma`'s) and a function giving its repositories
 * on a client: the Prisma client and the pool outside a transaction, the transaction's client inside.
 *
 * Locks are best taken in one order everywhere, but a deadlock (40P01) or serialization failure (40001) can
 * still happen in corners: Postgres then rolls the whole transaction back, so it is simply run again after a
 * short random pause. If it keeps losing, the error reaches the kit's handler: 409 conflict-retry with
 * Retry-After, never a 500.
 */
export function createStore<Client extends TransactionalClient<Tx>, Tx, R, S extends SqlStatement>(
  db: { prisma: Client; pool: Pick<pg.Pool, 'query'> },
  repositories: (client: Client | Tx, sql: SqlRunner<S>) => R,
  options: StoreOptions = {},
): Store<R> {
  const attempts = options.attempts ?? 3;
  const timeout = options.timeoutMs ?? 10_000;
  return {
    repos: repositories(db.prisma, poolSql<S>(db.pool)),
    async transaction(fn) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await db.prisma.$transaction(
            (tx) => fn(repositories(tx, transactionSql(tx as unknown as RawQueryClient<S>))),
            { timeout },
          );
        } catch (err) {
          if (attempt >= attempts || !isTransientConflict(err)) throw err;
          await sleep(5 + Math.random() * 20 * attempt);
        }
      }
    },
  };
}
