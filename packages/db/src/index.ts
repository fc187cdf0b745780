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
  bootstrapServiceDatabase,
  dropServiceDatabase,
  serviceUrl,
  withClient,
  renderBootstrap,
  BOOTSTRAP_SQL_PATH,
  type ServiceDatabase,
} from './bootstrap.ts';
export {
  acquireEmbeddedPostgres,
  resolveAdminUrl,
  releaseOnExit,
  DEFAULT_EMBEDDED_PORT,
  type AcquireEmbeddedOptions,
  type AdminHandle,
  type ResolveAdminUrlOptions,
} from './embedded.ts';
