import { connectRevocationList } from '@mini/auth';
import { poolOptionsFromConfig } from '@mini/db';
import { purgeExpiredIdempotencyKeys } from '@mini/idempotency';
import { intervalJob, runService } from '@mini/service';
import { createApp } from './app.ts';
import { configSchema } from './config.ts';
import { connectDatabase } from './db.ts';
import { createStore } from './repositories.ts';
import { createReservationsService } from './reservations/reservations.service.ts';

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

await runService({
  name: 'inventory',
  configSchema,
  configDir: import.meta.dirname + '/..',
  database: ({ config, logger }) =>
    connectDatabase(config.DATABASE_URL, logger, poolOptionsFromConfig(config)),
  revocation: ({ config, logger }) => connectRevocationList(config, logger, 'inventory'),
  jobs: ({ config, db }) => [
    // Expired reservations already stopped counting (reads subtract them, writes let go of them first);
    // the sweep marks them expired so that the stored counters and statuses catch up.
    intervalJob('reservation sweep', MINUTE_MS, async (logger) => {
      const expired = await createReservationsService(createStore(db), { idempotencyTtlMs: 0 }).sweep();
      if (expired > 0) logger.info({ expired }, 'expired reservations swept');
    }),
    // Expired Idempotency-Keys answer nothing any more; swept hourly so the table stays small.
    intervalJob(
      'idempotency key purge',
      HOUR_MS,
      purgeExpiredIdempotencyKeys({
        keys: createStore(db).repos.idempotency,
        ttlMs: config.IDEMPOTENCY_TTL_HOURS * HOUR_MS,
      }),
    ),
  ],
  createApp: ({ config, db, logger, revocation }) =>
    createApp({ config, db, logger, ...(revocation ? { revocationList: revocation } : {}) }),
});
