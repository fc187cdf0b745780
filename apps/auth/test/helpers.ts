import { inject } from 'vitest';
import { createLogger } from '@mini/logger';
import { configSchema, type Config } from '../src/config.ts';
import { connectDatabase } from '../src/db.ts';
import { createApp } from '../src/app.ts';

export const testLogger = createLogger({ name: 'auth-test', level: 'silent', pretty: false });

export function testConfig(overrides: Record<string, string> = {}): Config {
  return configSchema.parse({ NODE_ENV: 'test', DATABASE_URL: inject('databaseUrl'), ...overrides });
}

// A complete app on the run's test database; close() releases its pool.
export function buildTestApp(overrides: Record<string, string> = {}) {
  const config = testConfig(overrides);
  const db = connectDatabase(config.DATABASE_URL, testLogger);
  const app = createApp({ config, db, logger: testLogger });
  return { app, db, config, close: () => db.close() };
}
