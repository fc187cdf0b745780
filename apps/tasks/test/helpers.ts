import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { poolOptionsFromConfig } from '@mini/db';
import type { Logger } from '@mini/logger';
import {
  asUser,
  defineTestApp,
  silentLogger,
  testAuth,
  uniqueSuffix,
  useTestApp,
  type TestUser,
} from '@mini/testing';
import { configSchema } from '../src/config.ts';
import { connectDatabase } from '../src/db.ts';
import { createApp } from '../src/app.ts';

export const tasksTestApp = defineTestApp({
  configSchema,
  env: {
    AUTH_ISSUER: testAuth.issuer,
    AUTH_AUDIENCE: testAuth.audience,
    AUTH_PUBLIC_KEY: testAuth.publicKey,
  },
  database: (config, logger) => connectDatabase(config.DATABASE_URL, logger, poolOptionsFromConfig(config)),
  createApp: ({ config, db, logger }) => ({ app: createApp({ config, db, logger }) }),
});

export const testLogger = silentLogger;
export const testConfig = tasksTestApp.config;

// A complete app on the run's test database; close() releases its pool.
export function buildTestApp(overrides: Record<string, string> = {}, logger: Logger = testLogger) {
  return tasksTestApp.build(overrides, { logger });
}

export interface FakeAuth {
  url: string;
  /** Users the stand-in knows, by username. */
  register(user: TestUser): void;
  /** Headers of each look-up, to check what was forwarded. */
  requests: Array<{ url: string; headers: IncomingHttpHeaders }>;
  /**
   * 'ok' answers normally; 'slow' never answers in time; 'garbage' answers 200 with a malformed body;
   * 'refuse' answers 401 problem+json (auth refusing the forwarded token); 'failing' answers 500.
   */
  mode: 'ok' | 'slow' | 'garbage' | 'refuse' | 'failing';
  close(): Promise<void>;
}

/**
 * A stand-in for the auth service's public look-up `GET /users/by-username/:username`: a real HTTP server
 * on a free port, so the tasks service's client (timeout, headers, validation) runs for real.
 */
export async function startFakeAuth(): Promise<FakeAuth> {
  const users = new Map<string, TestUser>();
  const fake: FakeAuth = {
    url: '',
    register: (user) => void users.set(user.username, user),
    requests: [],
    mode: 'ok',
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    fake.requests.push({ url: req.url ?? '', headers: req.headers });
    const match = /^\/users\/by-username\/([^/?]+)$/.exec(req.url ?? '');
    if (fake.mode === 'slow') return void setTimeout(() => res.end(), 5_000).unref();
    if (fake.mode === 'garbage')
      return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":42}');
    if (fake.mode === 'refuse') {
      return void res
        .writeHead(401, {
          'content-type': 'application/problem+json',
          'www-authenticate': 'Bearer realm="mini-backends", error="invalid_token"',
        })
        .end(
          JSON.stringify({
            type: 'https://mini-backends.dev/problems/unauthorized',
            title: 'Unauthorized',
            status: 401,
            detail: 'The session has ended.',
            code: 'unauthorized',
            requestId: 'auth-side-id',
          }),
        );
    }
    if (fake.mode === 'failing')
      return void res.writeHead(500, { 'content-type': 'application/problem+json' }).end('{"status":500}');
    const user = match ? users.get(decodeURIComponent(match[1] as string)) : undefined;
    if (!user)
      return void res.writeHead(404, { 'content-type': 'application/problem+json' }).end('{"status":404}');
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ id: user.id, username: user.username, displayName: user.displayName }));
  });
  server.keepAliveTimeout = 100;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

type App = ReturnType<typeof buildTestApp>['app'];

export async function createProject(app: App, owner: TestUser, overrides: Record<string, unknown> = {}) {
  const res = await asUser(app, owner)
    .post('/projects')
    .send({ name: `Project ${uniqueSuffix()}`, ...overrides });
  if (res.status !== 201) throw new Error(`createProject: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; name: string };
}

export async function createTask(
  app: App,
  user: TestUser,
  projectId: string,
  overrides: Record<string, unknown> = {},
) {
  const res = await asUser(app, user)
    .post(`/projects/${projectId}/tasks`)
    .send({ title: `Task ${uniqueSuffix()}`, ...overrides });
  if (res.status !== 201) throw new Error(`createTask: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; version: number; projectId: string; title: string };
}

export async function createLabel(
  app: App,
  user: TestUser,
  projectId: string,
  name = `label-${uniqueSuffix()}`,
) {
  const res = await asUser(app, user).post(`/projects/${projectId}/labels`).send({ name });
  if (res.status !== 201) throw new Error(`createLabel: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; name: string };
}

/** Adds `user` to the project through the API, resolving the username via the auth stand-in. */
export async function addMember(
  app: App,
  auth: FakeAuth,
  owner: TestUser,
  projectId: string,
  user: TestUser,
  role: 'owner' | 'editor' | 'viewer',
) {
  auth.register(user);
  const res = await asUser(app, owner)
    .post(`/projects/${projectId}/members`)
    .send({ username: user.username, role });
  if (res.status !== 201) throw new Error(`addMember: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** An app wired to a fresh auth stand-in; close() stops both. */
export async function buildTestAppWithAuth(overrides: Record<string, string> = {}, logger?: Logger) {
  const auth = await startFakeAuth();
  const ctx = buildTestApp({ AUTH_URL: auth.url, AUTH_TIMEOUT_MS: '300', ...overrides }, logger);
  return {
    ...ctx,
    auth,
    close: async () => {
      await ctx.close();
      await auth.close();
    },
  };
}

export type TestAppWithAuth = Awaited<ReturnType<typeof buildTestAppWithAuth>>;

/** The app of one test file, wired to its own auth stand-in: built before its first test, closed after its last. */
export function useTestAppWithAuth(): TestAppWithAuth {
  return useTestApp(() => buildTestAppWithAuth());
}
