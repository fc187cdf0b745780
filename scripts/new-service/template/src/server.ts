import { createLogger } from '@mini/logger';
import { redactConfig } from '@mini/config';
import { poolTimeoutsFromConfig } from '@mini/db';
import { startServer } from '@mini/http';
import { loadConfig } from './config.ts';
import { connectDatabase } from './db.ts';
import { createApp } from './app.ts';
import { connectRevocationList } from './revocation.ts';

const config = loadConfig();
const logger = createLogger({ name: '__name__', level: config.LOG_LEVEL });
const db = connectDatabase(config.DATABASE_URL, logger, poolTimeoutsFromConfig(config));
const revocation = connectRevocationList(config, logger);
const app = createApp({ config, db, logger, ...(revocation ? { revocationList: revocation } : {}) });

logger.info({ config: redactConfig(config) }, 'starting');
await startServer(app, {
  port: config.PORT,
  host: config.HOST,
  logger,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  // HTTP_* timeouts and limits, SHUTDOWN_IDLE_GRACE_MS.
  limits: config,
  onShutdown: async () => {
    await revocation?.close();
    await db.close();
  },
});
