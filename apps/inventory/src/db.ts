import { createPrisma, type CreatePrismaOptions, type SqlRunner as KitSqlRunner } from '@mini/db';
import type { Logger } from '@mini/logger';
import { PrismaClient, type Prisma } from './generated/prisma/client.ts';

export type Database = ReturnType<typeof connectDatabase>;

/** What a repository runs its Prisma queries on: the client itself, or the client of an open transaction. */
export type DbClient = PrismaClient | Prisma.TransactionClient;

/** Hand-written SQL built with Prisma.sql (see @mini/db's poolSql and transactionSql). */
export type SqlRunner = KitSqlRunner<Prisma.Sql>;

/** The pool size and timeouts; each has a default (server.ts passes the config's). */
export type DatabaseOptions = Omit<CreatePrismaOptions, 'url' | 'logger' | 'applicationName'>;

export function connectDatabase(url: string, logger: Logger, options: DatabaseOptions = {}) {
  return createPrisma(PrismaClient, { url, logger, applicationName: 'inventory', ...options });
}
