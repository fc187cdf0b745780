import request from 'supertest';
import { poolOptionsFromConfig } from '@mini/db';
import { defineTestApp, testAuth, uniqueSuffix, useTestApp } from '@mini/testing';
import { createApp } from '../src/app.ts';
import { configSchema } from '../src/config.ts';
import { connectDatabase } from '../src/db.ts';
import { startAuthAccounts } from './auth-accounts.ts';

export const blogTestApp = defineTestApp({
  configSchema,
  env: {
    AUTH_ISSUER: testAuth.issuer,
    AUTH_AUDIENCE: testAuth.audience,
    AUTH_PUBLIC_KEY: testAuth.publicKey,
  },
  database: (config, logger) => connectDatabase(config.DATABASE_URL, logger, poolOptionsFromConfig(config)),
  createApp: ({ config, db, logger }) => ({ app: createApp({ config, db, logger }) }),
});

/** An app whose AUTH_URL is a fresh auth stand-in; close() stops both. */
export async function buildTestAppWithAuth(overrides: Record<string, string> = {}) {
  const auth = await startAuthAccounts();
  const ctx = blogTestApp.build({ AUTH_URL: auth.url, AUTH_TIMEOUT_MS: '500', ...overrides });
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
type App = TestAppWithAuth['app'];

/** The app of one test file, with its own auth stand-in: built before its first test, closed after its last. */
export function useTestAppWithAuth(): TestAppWithAuth {
  return useTestApp(() => buildTestAppWithAuth());
}

export interface RealWorldUser {
  email: string;
  username: string;
  password: string;
  token: string;
}

/** Registers through POST /api/users, as a RealWorld client does (username and email unique per call). */
export async function registerUser(app: App, name = 'user'): Promise<RealWorldUser> {
  const suffix = uniqueSuffix();
  const input = {
    username: `${name}_${suffix}`,
    email: `${name}_${suffix}@example.com`,
    password: 'password123',
  };
  const res = await request(app).post('/api/users').send({ user: input });
  if (res.status !== 201) throw new Error(`registerUser: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...input, token: res.body.user.token as string };
}

/** supertest with RealWorld's `Authorization: Token <jwt>`. */
export function asRealWorld(app: App, user: { token: string }) {
  const header = `Token ${user.token}`;
  return {
    get: (url: string) => request(app).get(url).set('Authorization', header),
    post: (url: string) => request(app).post(url).set('Authorization', header),
    put: (url: string) => request(app).put(url).set('Authorization', header),
    delete: (url: string) => request(app).delete(url).set('Authorization', header),
  };
}

export interface ArticleAnswer {
  slug: string;
  title: string;
  description: string;
  body: string;
  tagList: string[];
  createdAt: string;
  updatedAt: string;
  favorited: boolean;
  favoritesCount: number;
  author: { username: string; bio: string | null; image: string | null; following: boolean };
}

/** Creates an article through POST /api/articles (a unique title unless one is given). */
export async function createArticle(
  app: App,
  author: { token: string },
  overrides: Record<string, unknown> = {},
): Promise<ArticleAnswer> {
  const article = {
    title: `Title ${uniqueSuffix()}`,
    description: 'What it is about',
    body: 'The body.',
    ...overrides,
  };
  const res = await asRealWorld(app, author).post('/api/articles').send({ article });
  if (res.status !== 201) throw new Error(`createArticle: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.article as ArticleAnswer;
}
