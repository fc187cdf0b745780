export type { DbLogger } from './logger.ts';
export {
  createPrisma,
  isTransientConflict,
  isUniqueViolation,
  poolOptionsFromConfig,
  poolTimeoutsFromConfig,
  DEFAULT_POOL_TIMEOUTS,
  type CreatePrismaOptions,
  type PoolTimeouts,
  type PrismaHandle,
} from './prisma.ts';
export { isDatabaseUnavailable } from './errors.ts';
export { migrate, MigrationError, type MigrateOptions } from './migrate.ts';
export {
  createStore,
  poolSql,
  transactionSql,
  MAX_PREPARED_STATEMENTS,
  type RawQueryClient,
  type SqlRunner,
  type SqlStatement,
  type Store,
  type StoreOptions,
  type TransactionalClient,
} from './store.ts';
