import { createLogger } from '@mini/logger';
import { redactConfig } from '@mini/config';
import { poolTimeoutsFromConfig } from '@mini/db';
import { startServer } from '@mini/http';
import { loadConfig } from './config.ts';
import { connectDatabase } from './db.ts';
import { createApp } from './app.ts';
import { loadKeyStoreFromConfig } from './keys/keys-from-config.ts';
import type { KeyStore } from './keys/key-store.ts';
import { revocationRelayFromConfig } from './revocation/revocation-relay.ts';
import { startSessionPurge } from './sessions/session-purge.ts';

const config = loadConfig();
const logger = createLogger({ name: 'auth', level: config.LOG_LEVEL });
let keys: KeyStore;
try {
  keys = loadKeyStoreFromConfig(config);
} catch (err) {
  // Same shape as the config errors: one line naming what to fix, no stack trace.
  process.stderr.write(
    `Invalid configuration:\n  signing keys: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(1);
}
const db = connectDatabase(config.DATABASE_URL, logger, poolTimeoutsFromConfig(config));
const relay = revocationRelayFromConfig(config, db, logger);
if (!relay) {
  logger.warn('REDIS_URL is not set: other services learn about logouts only when access tokens expire');
}
const app = createApp({ config, db, logger, keys, ...(relay ? { revocations: relay } : {}) });
relay?.start();
const purge = startSessionPurge(db, logger, { accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS });

logger.info({ config: redactConfig(config) }, 'starting');
await startServer(app, {
  port: config.PORT,
  host: config.HOST,
  logger,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  // HTTP_* timeouts and limits, SHUTDOWN_IDLE_GRACE_MS.
  limits: config,
  onShutdown: async () => {
    purge.stop();
    await relay?.stop();
    await db.close();
  },
});
