import { createPrisma, type PrismaHandle } from '@mini/db';
import type { Logger } from '@mini/logger';
import { PrismaClient, type Prisma } from './generated/prisma/client.ts';

export type Database = ReturnType<typeof connectDatabase>;

/** What a repository runs its Prisma queries on: the client itself, or the client of an open transaction. */
export type DbClient = PrismaClient | Prisma.TransactionClient;

/**
 * Hand-written SQL (built with Prisma.sql, so every value is a bound parameter). Outside a transaction it
 * goes straight to the pg pool: measured on the list endpoint, Prisma's raw-query path (serialising the
 * arguments, converting every column twice) cost about a third of the throughput. Inside a transaction it
 * must run on the transaction's own connection, so it goes through Prisma there.
 */
export interface SqlRunner {
  query<T>(sql: Prisma.Sql): Promise<T[]>;
}

export function poolSql(pool: PrismaHandle<PrismaClient>['pool']): SqlRunner {
  return {
    async query<T>(sql: Prisma.Sql) {
      const result = await pool.query(sql.text, sql.values);
      return result.rows as T[];
    },
  };
}

export function transactionSql(tx: Prisma.TransactionClient): SqlRunner {
  return { query: <T>(sql: Prisma.Sql) => tx.$queryRaw<T[]>(sql) };
}

export function connectDatabase(url: string, logger: Logger, options: { max?: number } = {}) {
  return createPrisma(PrismaClient, { url, logger, applicationName: 'tasks', ...options });
}
