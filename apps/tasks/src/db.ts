import { createHash } from 'node:crypto';
import { createPrisma, type CreatePrismaOptions, type PrismaHandle } from '@mini/db';
import type { Logger } from '@mini/logger';
import { PrismaClient, type Prisma } from './generated/prisma/client.ts';

export type Database = ReturnType<typeof connectDatabase>;

/** What a repository runs its Prisma queries on: the client itself, or the client of an open transaction. */
export type DbClient = PrismaClient | Prisma.TransactionClient;

/**
 * Hand-written SQL (built with Prisma.sql, so every value is a bound parameter). Outside a transaction it
 * goes straight to the pg pool: measured on the list endpoint, Prisma's raw-query path (serialising the
 * arguments, converting every column twice) cost about half the throughput. Inside a transaction it must
 * run on the transaction's own connection, so it goes through Prisma there.
 */
export interface SqlRunner {
  query<T>(sql: Prisma.Sql): Promise<T[]>;
}

// Named (prepared) statements let Postgres skip parsing and, once it settles on a generic plan, planning:
// measured here, that halves the database time of the membership check and the list page. Each distinct
// SQL text is prepared once per connection and kept for the connection's life, so only the first
// MAX_PREPARED texts get a name; any further ones (rare filter combinations) run unnamed.
const MAX_PREPARED = 200;

export function poolSql(pool: PrismaHandle<PrismaClient>['pool']): SqlRunner {
  const names = new Map<string, string>();
  return {
    async query<T>(sql: Prisma.Sql) {
      let name = names.get(sql.text);
      if (name === undefined && names.size < MAX_PREPARED) {
        name = `tasks_${createHash('sha1').update(sql.text).digest('hex').slice(0, 24)}`;
        names.set(sql.text, name);
      }
      const result = await pool.query(
        name === undefined
          ? { text: sql.text, values: sql.values }
          : { name, text: sql.text, values: sql.values },
      );
      return result.rows as T[];
    },
  };
}

export function transactionSql(tx: Prisma.TransactionClient): SqlRunner {
  return { query: <T>(sql: Prisma.Sql) => tx.$queryRaw<T[]>(sql) };
}

/** The pool size and timeouts; each has a default (server.ts passes the config's). */
export type DatabaseOptions = Omit<CreatePrismaOptions, 'url' | 'logger' | 'applicationName'>;

export function connectDatabase(url: string, logger: Logger, options: DatabaseOptions = {}) {
  return createPrisma(PrismaClient, { url, logger, applicationName: 'tasks', ...options });
}
