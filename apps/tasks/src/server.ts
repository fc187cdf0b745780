import { connectRevocationList } from '@mini/auth';
import { poolOptionsFromConfig } from '@mini/db';
import { intervalJob, runService } from '@mini/service';
import { createApp } from './app.ts';
import { configSchema } from './config.ts';
import { connectDatabase } from './db.ts';
import { createStore } from './repositories.ts';

const HOUR_MS = 3_600_000;

await runService({
  name: 'tasks',
  configSchema,
  configDir: import.meta.dirname + '/..',
  database: ({ config, logger }) =>
    connectDatabase(config.DATABASE_URL, logger, poolOptionsFromConfig(config)),
  revocation: ({ config, logger }) => connectRevocationList(config, logger, 'tasks'),
  jobs: ({ config, db, logger }) => [
    // Expired Idempotency-Keys answer nothing any more; swept hourly so the table stays small.
    intervalJob('idempotency key purge', HOUR_MS, async () => {
      const expiredBefore = new Date(Date.now() - config.IDEMPOTENCY_TTL_HOURS * HOUR_MS);
      const count = await createStore(db).repos.idempotency.purgeOlderThan(expiredBefore);
      if (count > 0) logger.info({ count }, 'expired idempotency keys purged');
    }),
  ],
  createApp: ({ config, db, logger, revocation }) =>
    createApp({ config, db, logger, ...(revocation ? { revocationList: revocation } : {}) }),
});
