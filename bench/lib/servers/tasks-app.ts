// The real tasks service, configured as in production (NODE_ENV=production, warn-level JSON logs).
import { poolTimeoutsFromConfig } from '../../../packages/db/src/index.ts';
import { createLogger } from '../../../packages/logger/src/index.ts';
import { startServer } from '../../../packages/http/src/index.ts';
import { configSchema } from '../../../apps/tasks/src/config.ts';
import { connectDatabase } from '../../../apps/tasks/src/db.ts';
import { createApp } from '../../../apps/tasks/src/app.ts';

const config = configSchema.parse(process.env);
const logger = createLogger({ name: 'tasks', level: config.LOG_LEVEL, pretty: false });
const db = connectDatabase(config.DATABASE_URL, logger, {
  max: config.DATABASE_POOL_MAX,
  ...poolTimeoutsFromConfig(config),
});
const running = await startServer(createApp({ config, db, logger }), {
  port: 0,
  host: '127.0.0.1',
  logger,
  shutdownTimeoutMs: 5_000,
  limits: config,
  onShutdown: () => db.close(),
});
process.send?.({ port: running.port });
