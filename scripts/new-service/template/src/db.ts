import { createPrisma, type CreatePrismaOptions } from '@mini/db';
import type { Logger } from '@mini/logger';
import { PrismaClient } from './generated/prisma/client.ts';

export type Database = ReturnType<typeof connectDatabase>;

/** The pool size and timeouts; each has a default (server.ts passes the config's). */
export type DatabaseOptions = Omit<CreatePrismaOptions, 'url' | 'logger' | 'applicationName'>;

export function connectDatabase(url: string, logger: Logger, options: DatabaseOptions = {}) {
  return createPrisma(PrismaClient, { url, logger, applicationName: '__name__', ...options });
}
