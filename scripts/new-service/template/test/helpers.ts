import { poolOptionsFromConfig } from '@mini/db';
import { asUser, defineTestApp, testAuth, uniqueSuffix, type TestUser } from '@mini/testing';
import { configSchema } from '../src/config.ts';
import { connectDatabase } from '../src/db.ts';
import { createApp } from '../src/app.ts';

// The app under test, on the run's migrated database (test/global-setup.ts), verifying the test tokens:
// `useTestApp(() => __name__TestApp.build())` in a test file, `__name__TestApp.build(overrides, { logger })`
// for one with other settings or a captured log.
export const __name__TestApp = defineTestApp({
  configSchema,
  env: {
    AUTH_ISSUER: testAuth.issuer,
    AUTH_AUDIENCE: testAuth.audience,
    AUTH_PUBLIC_KEY: testAuth.publicKey,
  },
  database: (config, logger) => connectDatabase(config.DATABASE_URL, logger, poolOptionsFromConfig(config)),
  createApp: ({ config, db, logger }) => ({ app: createApp({ config, db, logger }) }),
});

type App = ReturnType<typeof __name__TestApp.build>['app'];

export async function create__Item__(app: App, user: TestUser, overrides: Record<string, unknown> = {}) {
  const res = await asUser(app, user)
    .post('/__name__')
    .send({ title: `Title ${uniqueSuffix()}`, ...overrides });
  if (res.status !== 201) throw new Error(`create__Item__: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; title: string; body: string; createdAt: string; updatedAt: string };
}
