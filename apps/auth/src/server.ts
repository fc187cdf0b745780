import { createLogger } from '@mini/logger';
import { redactConfig } from '@mini/config';
import { startServer } from '@mini/http';
import { loadConfig } from './config.ts';
import { connectDatabase } from './db.ts';
import { createApp } from './app.ts';

const config = loadConfig();
const logger = createLogger({ name: 'auth', level: config.LOG_LEVEL });
const db = connectDatabase(config.DATABASE_URL, logger);
const app = createApp({ config, db, logger });

logger.info({ config: redactConfig(config) }, 'starting');
await startServer(app, {
  port: config.PORT,
  host: config.HOST,
  logger,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  onShutdown: () => db.close(),
});
