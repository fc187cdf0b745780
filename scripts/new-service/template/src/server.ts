import { connectRevocationList } from '@mini/auth';
import { poolOptionsFromConfig } from '@mini/db';
import { runService } from '@mini/service';
import { createApp } from './app.ts';
import { configSchema } from './config.ts';
import { connectDatabase } from './db.ts';

// What the service is made of; @mini/service starts it in order and stops it in reverse on SIGTERM/SIGINT.
await runService({
  name: '__name__',
  configSchema,
  configDir: import.meta.dirname + '/..',
  database: ({ config, logger }) =>
    connectDatabase(config.DATABASE_URL, logger, poolOptionsFromConfig(config)),
  revocation: ({ config, logger }) => connectRevocationList(config, logger, '__name__'),
  createApp: ({ config, db, logger, revocation }) =>
    createApp({ config, db, logger, ...(revocation ? { revocationList: revocation } : {}) }),
});
