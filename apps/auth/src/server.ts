import { poolOptionsFromConfig } from '@mini/db';
import { runService } from '@mini/service';
import { createApp } from './app.ts';
import { configSchema } from './config.ts';
import { connectDatabase } from './db.ts';
import { loadKeyStoreFromConfig } from './keys/keys-from-config.ts';
import { revocationRelayFromConfig } from './revocation/revocation-relay.ts';
import { sessionPurgeJob } from './sessions/session-purge.ts';

await runService({
  name: 'auth',
  configSchema,
  configDir: import.meta.dirname + '/..',
  database: ({ config, logger }) =>
    connectDatabase(config.DATABASE_URL, logger, poolOptionsFromConfig(config)),
  // Publishes ended sessions to Redis, for the other services to refuse their tokens at once.
  revocation: ({ config, db, logger }) => {
    const relay = revocationRelayFromConfig(config, db, logger);
    if (!relay)
      logger.warn('REDIS_URL is not set: other services learn about logouts only when tokens expire');
    return relay;
  },
  jobs: ({ config, db }) => [sessionPurgeJob(db, { accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS })],
  createApp: ({ config, db, logger, revocation }) =>
    createApp({
      config,
      db,
      logger,
      keys: loadKeyStoreFromConfig(config),
      ...(revocation ? { revocations: revocation } : {}),
    }),
});
