import { expect } from 'vitest';
import request from 'supertest';
import { poolOptionsFromConfig } from '@mini/db';
import type { Logger } from '@mini/logger';
import {
  defineTestApp,
  setupServiceTestDatabase,
  silentLogger,
  uniqueSuffix,
  type ServiceTestDatabase,
} from '@mini/testing';
import { configSchema } from '../src/config.ts';
import { connectDatabase } from '../src/db.ts';
import { createApp } from '../src/app.ts';
import { generatePrivateKeyPem, loadKeyStore, type KeyStore } from '../src/keys/key-store.ts';
import { DevOutbox } from '../src/mail/mailer.ts';
import type { PasswordHasher } from '../src/passwords/password-hasher.ts';
import { createStore } from '../src/repositories.ts';
import type { RevocationPublisher } from '../src/revocation/revocation-publisher.ts';
import {
  createRevocationRelay,
  type RevocationRelay,
  type RevocationRelayOptions,
  type Revocations,
} from '../src/revocation/revocation-relay.ts';

export const testLogger = silentLogger;

// One signing key per test process, so no test depends on .data/keys or on another run's key.
export const TEST_PRIVATE_KEY = generatePrivateKeyPem();
// A fixed pepper, so no test depends on .data/ either, and hashes made by one test app verify in another.
export const TEST_PEPPER = 'the tests pepper: fixed, and 32+ characters long';
/** The hashing settings of testConfig(), for code that hashes outside the app (create-admin). */
export const TEST_HASHING = { cost: 4, peppers: { current: TEST_PEPPER } };

export interface BuildOptions {
  keys?: KeyStore;
  /** What the app nudges when sessions end (a counter, say); ignored when `relay` is given. */
  revocations?: Revocations;
  /**
   * Runs a real relay on the app's database with this publisher (the app's `revocations`), stopped by
   * close(). Only on a database of the test file's own (ownTestDatabase): on the shared one it would
   * publish, and delete, other files' queued rows.
   */
  relay?: { publisher: RevocationPublisher } & Partial<
    Pick<RevocationRelayOptions, 'pollIntervalMs' | 'retryMaxMs' | 'batchSize'>
  >;
  /** The app's password hasher (default: the config's); login-timing counts bcrypt's calls through it. */
  hasher?: PasswordHasher;
}

export const authTestApp = defineTestApp({
  configSchema,
  env: {
    JWT_PRIVATE_KEY: TEST_PRIVATE_KEY,
    PASSWORD_PEPPER: TEST_PEPPER,
    // bcrypt at its minimum cost: the rules are the same, the tests are fast.
    BCRYPT_COST: '4',
    // Every test signs in from 127.0.0.1: only the brute-force tests (with their own IPs) may trip the IP limit.
    LOGIN_MAX_FAILURES_PER_IP: '100000',
    MAIL_LIMIT_PER_IP: '100000',
  },
  database: (config, logger) => connectDatabase(config.DATABASE_URL, logger, poolOptionsFromConfig(config)),
  createApp: ({ config, db, logger }, options: BuildOptions) => {
    // The dev outbox always logs to the silent logger: tests read the mails from it, not from the log.
    const outbox = new DevOutbox(testLogger);
    const keys = options.keys ?? loadKeyStore({ privateKeyPem: config.JWT_PRIVATE_KEY });
    const relay: RevocationRelay | undefined = options.relay
      ? createRevocationRelay({
          store: createStore(db),
          logger,
          accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
          pollIntervalMs: 1000,
          retryMaxMs: 200,
          ...options.relay,
        })
      : undefined;
    const revocations = relay ?? options.revocations;
    const app = createApp({
      config,
      db,
      logger,
      keys,
      mailer: outbox,
      ...(options.hasher ? { hasher: options.hasher } : {}),
      ...(revocations ? { revocations } : {}),
    });
    relay?.start();
    return { app, outbox, keys, relay, close: async () => relay?.stop() };
  },
});

export const testConfig = authTestApp.config;

// A complete app on the run's test database (the logger, default silent, in options); close() releases it.
export function buildTestApp(
  overrides: Record<string, string> = {},
  options: BuildOptions & { logger?: Logger } = {},
) {
  return authTestApp.build(overrides, options);
}

/**
 * A migrated auth database for one test file, dropped by teardown(): for the files that run a revocation
 * relay, which drains the whole outbox table.
 */
export function ownTestDatabase(): Promise<ServiceTestDatabase> {
  return setupServiceTestDatabase({
    service: 'auth',
    migrationsDir: new URL('../prisma/migrations', import.meta.url).pathname,
  });
}

export type TestContext = ReturnType<typeof buildTestApp>;

/** Registration input no other test (or parallel run) uses. */
export function newUserInput(overrides: Partial<{ email: string; username: string; password: string }> = {}) {
  const suffix = uniqueSuffix();
  return {
    email: `user-${suffix}@example.com`,
    username: `user_${suffix}`,
    password: `a long passphrase ${suffix}`,
    ...overrides,
  };
}

export interface SignedIn {
  id: string;
  email: string;
  username: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

/** Registers a user through the API and signs in. */
export async function registerAndLogin(
  ctx: Pick<TestContext, 'app'>,
  overrides: Partial<{ email: string; username: string; password: string }> = {},
  client: { userAgent?: string } = {},
): Promise<SignedIn> {
  const input = newUserInput(overrides);
  const registered = await request(ctx.app).post('/auth/register').send(input);
  if (registered.status !== 201)
    throw new Error(`register failed: ${registered.status} ${JSON.stringify(registered.body)}`);
  const login = await request(ctx.app)
    .post('/auth/login')
    .set('User-Agent', client.userAgent ?? 'vitest')
    .send({ email: input.email, password: input.password });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
  return {
    id: registered.body.id,
    ...input,
    accessToken: login.body.accessToken,
    refreshToken: login.body.refreshToken,
  };
}

/** Signs in again (a second device). */
export async function login(
  ctx: Pick<TestContext, 'app'>,
  user: { email: string; password: string },
  userAgent = 'vitest',
) {
  const res = await request(ctx.app)
    .post('/auth/login')
    .set('User-Agent', userAgent)
    .send({ email: user.email, password: user.password });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { accessToken: res.body.accessToken as string, refreshToken: res.body.refreshToken as string };
}

/**
 * After a password change or reset: the old password no longer signs in, the new one does, and the
 * other session's refresh token is dead.
 */
export async function expectPasswordReplaced(
  ctx: TestContext,
  user: { email: string; password: string },
  newPassword: string,
  otherSession: { refreshToken: string },
): Promise<void> {
  expect(
    (await request(ctx.app).post('/auth/refresh').send({ refreshToken: otherSession.refreshToken })).status,
  ).toBe(401);
  expect(
    (await request(ctx.app).post('/auth/login').send({ email: user.email, password: user.password })).status,
  ).toBe(401);
  expect(
    (await request(ctx.app).post('/auth/login').send({ email: user.email, password: newPassword })).status,
  ).toBe(200);
}
