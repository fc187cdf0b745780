import { poolOptionsFromConfig } from '@mini/db';
import type { Logger } from '@mini/logger';
import {
  asUser,
  defineTestApp,
  silentLogger,
  startAuthStandIn,
  testAuth,
  uniqueSuffix,
  useTestApp,
  type AuthStandIn,
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

/**
 * `count` tasks, ten requests at a time: a burst of a hundred at once would queue past the pool's wait
 * limit on a loaded CI machine and get 503s, which is the service working as designed, not a test setup.
 */
export async function createTasks(app: App, user: TestUser, projectId: string, count: number) {
  const tasks: Array<Awaited<ReturnType<typeof createTask>>> = [];
  for (let i = 0; i < count; i += 10) {
    const batch = Array.from({ length: Math.min(10, count - i) }, () => createTask(app, user, projectId));
    tasks.push(...(await Promise.all(batch)));
  }
  return tasks;
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
  auth: AuthStandIn,
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
  const auth = await startAuthStandIn();
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
