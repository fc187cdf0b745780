import { createPrisma } from '@mini/db';
import type { Logger } from '@mini/logger';
import { PrismaClient } from './generated/prisma/client.ts';

export type Database = ReturnType<typeof connectDatabase>;

export function connectDatabase(url: string, logger: Logger) {
  return createPrisma(PrismaClient, { url, logger, applicationName: 'auth' });
}
