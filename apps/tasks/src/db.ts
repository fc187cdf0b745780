import { createPrisma } from '@mini/db';
import type { Logger } from '@mini/logger';
import { PrismaClient, type Prisma } from './generated/prisma/client.ts';

export type Database = ReturnType<typeof connectDatabase>;

/** What a repository runs its queries on: the client itself, or the client of an open transaction. */
export type DbClient = PrismaClient | Prisma.TransactionClient;

export function connectDatabase(url: string, logger: Logger, options: { max?: number } = {}) {
  return createPrisma(PrismaClient, { url, logger, applicationName: 'tasks', ...options });
}
