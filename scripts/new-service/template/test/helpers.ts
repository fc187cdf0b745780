import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import { poolTimeoutsFromConfig } from '@mini/db';
import { createLogger } from '@mini/logger';
import { authed, testAuth, tokenFor, uniqueSuffix } from '@mini/testing';
import { configSchema } from '../src/config.ts';
import { connectDatabase } from '../src/db.ts';
import { createApp } from '../src/app.ts';

const testLogger = createLogger({ name: '__name__-test', level: 'silent', pretty: false });

/** A complete app on the run's test database, verifying the test tokens; close() releases its pool. */
export function buildTestApp() {
  const config = configSchema.parse({
    NODE_ENV: 'test',
    DATABASE_URL: inject('databaseUrl'),
    AUTH_ISSUER: testAuth.issuer,
    AUTH_AUDIENCE: testAuth.audience,
    AUTH_PUBLIC_KEY: testAuth.publicKey,
  });
  const db = connectDatabase(config.DATABASE_URL, testLogger, poolTimeoutsFromConfig(config));
  const app = createApp({ config, db, logger: testLogger });
  return { app, db, close: () => db.close() };
}

export type TestApp = ReturnType<typeof buildTestApp>;

/** The app of one test file: built before its first test, closed after its last. */
export function useTestApp(): TestApp {
  const ctx = {} as TestApp;
  beforeAll(() => {
    Object.assign(ctx, buildTestApp());
  });
  afterAll(() => ctx.close());
  return ctx;
}

/** A user as the auth service would know them, with a real signed access token. */
export function makeUser(name = 'user') {
  const id = randomUUID();
  const username = `${name}_${uniqueSuffix()}`;
  return { id, username, token: tokenFor({ sub: id, username }) };
}

export type TestUser = ReturnType<typeof makeUser>;

/** supertest on the app with the user's `Authorization: Bearer` header. */
export const as = (ctx: TestApp, user: TestUser) => authed(ctx.app, user.token);

export async function create__Item__(ctx: TestApp, user: TestUser, overrides: Record<string, unknown> = {}) {
  const res = await as(ctx, user)
    .post('/__name__')
    .send({ title: `Title ${uniqueSuffix()}`, ...overrides });
  if (res.status !== 201) throw new Error(`create__Item__: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; title: string; body: string; createdAt: string; updatedAt: string };
}
