export type { DevDbLogger } from './logger.ts';
export {
  bootstrapServiceDatabase,
  createScratchDatabase,
  dropServiceDatabase,
  serviceUrl,
  withClient,
  renderBootstrap,
  BOOTSTRAP_SQL_PATH,
  type ScratchDatabase,
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
