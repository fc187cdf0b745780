export type { DbLogger } from './logger.ts';
export {
  createPrisma,
  isTransientConflict,
  isUniqueViolation,
  poolTimeoutsFromConfig,
  DEFAULT_POOL_TIMEOUTS,
  type CreatePrismaOptions,
  type PoolTimeouts,
  type PrismaHandle,
} from './prisma.ts';
export { isDatabaseUnavailable } from './errors.ts';
export { migrate, MigrationError, type MigrateOptions } from './migrate.ts';
