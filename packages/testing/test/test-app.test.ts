import express from 'express';
import jwt, { type JwtPayload } from 'jsonwebtoken';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import {
  asUser,
  captureLogs,
  defineTestApp,
  startAuthStandIn,
  testAuth,
  testUser,
  useTestApp,
} from '../src/index.ts';

const events: string[] = [];

// A service as small as can be: its config, a "database" that records its closing, and an app.
const demo = defineTestApp({
  configSchema: z.object({
    NODE_ENV: z.string(),
    DATABASE_URL: z.string(),
    GREETING: z.string(),
    EXTRA: z.string().optional(),
  }),
  env: { GREETING: 'hello' },
  database: (config) => ({
    url: config.DATABASE_URL,
    close: async () => void events.push('database closed'),
  }),
  createApp: ({ config, logger }, options: { failClose?: boolean }) => {
    const app = express();
    app.get('/greeting', (req, res) => {
      logger.info({ path: req.path }, 'greeting asked');
      res.json({ greeting: config.GREETING, authorization: req.get('authorization') ?? null });
    });
    return {
      app,
      extra: 'next to the app',
      close: async () => {
        events.push('app closed');
        if (options.failClose) throw new Error('relay would not stop');
      },
    };
  },
});

describe('defineTestApp', () => {
  it("builds the service's config with NODE_ENV=test, the run's database, its test variables and overrides", () => {
    expect(demo.config({ EXTRA: 'x' })).toEqual({
      NODE_ENV: 'test',
      DATABASE_URL: inject('databaseUrl'),
      GREETING: 'hello',
      EXTRA: 'x',
    });
    expect(demo.config({ GREETING: 'bonjour' }).GREETING).toBe('bonjour');
  });

  it('build() hands back what createApp returned, with config, db and logger; close() stops the app, then the database', async () => {
    events.length = 0;
    const logs = captureLogs('info');
    const built = demo.build({}, { logger: logs.logger });
    expect(built.extra).toBe('next to the app');
    expect(built.db.url).toBe(inject('databaseUrl'));
    const res = await asUser(built.app, testUser()).get('/greeting');
    expect(res.body.greeting).toBe('hello');
    expect(logs.entries()).toEqual([expect.objectContaining({ msg: 'greeting asked', path: '/greeting' })]);
    await built.close();
    expect(events).toEqual(['app closed', 'database closed']);
  });

  it("close() closes the database even when the app's own close fails", async () => {
    events.length = 0;
    const built = demo.build({}, { failClose: true });
    await expect(built.close()).rejects.toThrow('relay would not stop');
    expect(events).toEqual(['app closed', 'database closed']);
  });
});

describe('useTestApp', () => {
  const ctx = useTestApp(() => demo.build({ GREETING: 'from useTestApp' }));
  afterAll(() => {
    // Registered after useTestApp's own afterAll, so it runs first: the app is still open here.
    expect(events).not.toContain('database closed');
  });

  it('the app is built before the first test', async () => {
    events.length = 0;
    const res = await asUser(ctx.app, testUser()).get('/greeting');
    expect(res.body.greeting).toBe('from useTestApp');
  });
});

describe('testUser and asUser', () => {
  it('a test user has a unique username starting with its name and a real token for its id', () => {
    const ada = testUser('ada', { role: 'admin' });
    const other = testUser('ada');
    expect(ada.username).toMatch(/^ada_[0-9a-f]{10}$/);
    expect(other.username).not.toBe(ada.username);
    const claims = jwt.verify(ada.token, testAuth.publicKey, {
      algorithms: ['ES256'],
      issuer: testAuth.issuer,
      audience: testAuth.audience,
    }) as JwtPayload;
    expect(claims).toMatchObject({ sub: ada.id, username: ada.username, role: 'admin' });
  });

  it("asUser sends the user's token as a Bearer token with every method", async () => {
    const user = testUser();
    const res = await asUser(demo.build().app, user).get('/greeting');
    expect(res.body.authorization).toBe(`Bearer ${user.token}`);
  });
});

describe('captureLogs', () => {
  it('keeps every line at or above the level, as text and parsed', () => {
    const logs = captureLogs('warn');
    logs.logger.info('not kept');
    logs.logger.warn({ password: 'hunter2' }, 'kept');
    expect(logs.entries()).toEqual([expect.objectContaining({ level: 40, msg: 'kept' })]);
    // The kit's redaction applies, so a test can assert that a secret never reaches the log.
    expect(logs.text()).not.toContain('hunter2');
  });
});

describe('startAuthStandIn', () => {
  it("answers auth's public profile by username and by id, 404 problem otherwise, and records what it got", async () => {
    const auth = await startAuthStandIn();
    try {
      const ada = testUser('ada');
      auth.register(ada);
      const profile = { id: ada.id, username: ada.username, displayName: ada.displayName };
      const byName = await fetch(`${auth.url}/users/by-username/${ada.username}`, {
        headers: { authorization: 'Bearer t' },
      });
      expect(await byName.json()).toEqual(profile);
      expect(await (await fetch(`${auth.url}/users/${ada.id}`)).json()).toEqual(profile);
      const missing = await fetch(`${auth.url}/users/by-username/nobody`);
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as { code: string }).code).toBe('user-not-found');
      expect(auth.requests[0]?.headers.authorization).toBe('Bearer t');

      auth.mode = 'failing';
      expect((await fetch(`${auth.url}/users/${ada.id}`)).status).toBe(500);
    } finally {
      await auth.close();
    }
  });
});
