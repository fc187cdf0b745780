import { connectRevocationList } from '@mini/auth';
import { poolOptionsFromConfig } from '@mini/db';
import { runService } from '@mini/service';
import { createApp } from './app.ts';
import { configSchema } from './config.ts';
import { connectDatabase } from './db.ts';

await runService({
  name: 'blog',
  configSchema,
  configDir: import.meta.dirname + '/..',
  database: ({ config, logger }) =>
    connectDatabase(config.DATABASE_URL, logger, poolOptionsFromConfig(config)),
  revocation: ({ config, logger }) => connectRevocationList(config, logger, 'blog'),
  createApp: ({ config, db, logger, revocation }) =>
    createApp({ config, db, logger, ...(revocation ? { revocationList: revocation } : {}) }),
});
