import { createLogger } from '@mini/logger';
import { redactConfig } from '@mini/config';
import { startServer } from '@mini/http';
import { loadConfig } from './config.ts';
import { connectDatabase } from './db.ts';
import { createApp } from './app.ts';
import { createRedisRevocationPublisher } from './revocation/revocation-publisher.ts';
import { startSessionPurge } from './sessions/session-purge.ts';

const config = loadConfig();
const logger = createLogger({ name: 'auth', level: config.LOG_LEVEL });
const db = connectDatabase(config.DATABASE_URL, logger);
const revocations = config.REDIS_URL
  ? createRedisRevocationPublisher({
      redisUrl: config.REDIS_URL,
      ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
      logger,
    })
  : undefined;
if (!revocations) {
  logger.warn('REDIS_URL is not set: other services learn about logouts only when access tokens expire');
}
const app = createApp({ config, db, logger, ...(revocations ? { revocations } : {}) });
const purge = startSessionPurge(db, logger);

logger.info({ config: redactConfig(config) }, 'starting');
await startServer(app, {
  port: config.PORT,
  host: config.HOST,
  logger,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  onShutdown: async () => {
    purge.stop();
    await revocations?.close();
    await db.close();
  },
});
