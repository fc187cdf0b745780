import { createLogger } from '@mini/logger';
import { redactConfig } from '@mini/config';
import { poolTimeoutsFromConfig } from '@mini/db';
import { startServer } from '@mini/http';
import { startIdempotencySweep } from '@mini/idempotency';
import { loadConfig } from './config.ts';
import { connectDatabase } from './db.ts';
import { createApp } from './app.ts';
import { createStore } from './repositories.ts';
import { connectRevocationList } from './revocation.ts';

const config = loadConfig();
const logger = createLogger({ name: 'tasks', level: config.LOG_LEVEL });
const db = connectDatabase(config.DATABASE_URL, logger, {
  max: config.DATABASE_POOL_MAX,
  ...poolTimeoutsFromConfig(config),
});
const revocation = connectRevocationList(config, logger);
const app = createApp({ config, db, logger, ...(revocation ? { revocationList: revocation } : {}) });

// Expired Idempotency-Keys answer nothing any more; sweep them hourly so the table stays small.
const stopSweep = startIdempotencySweep({
  keys: createStore(db).repos.idempotency,
  ttlMs: config.IDEMPOTENCY_TTL_HOURS * 3_600_000,
  logger,
});

logger.info({ config: redactConfig(config) }, 'starting');
await startServer(app, {
  port: config.PORT,
  host: config.HOST,
  logger,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  // HTTP_* timeouts and limits, SHUTDOWN_IDLE_GRACE_MS.
  limits: config,
  onShutdown: async () => {
    stopSweep();
    await revocation?.close();
    await db.close();
  },
});
