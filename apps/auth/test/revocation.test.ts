import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import request from 'supertest';
import { Redis } from 'ioredis';
import jwt from 'jsonwebtoken';
import type express from 'express';
import {
  createRedisRevocationCheck,
  createTokenVerifier,
  currentUser,
  requireAuth,
  revokedSessionKey,
} from '@mini/auth';
import { createServiceApp } from '@mini/http';
import {
  redisAvailable,
  startTcpProxy,
  TEST_REDIS_URL,
  type ServiceTestDatabase,
  type TcpProxy,
} from '@mini/testing';
import { createRedisRevocationPublisher } from '../src/revocation/revocation-publisher.ts';
import {
  buildTestApp,
  login,
  ownTestDatabase,
  registerAndLogin,
  testLogger,
  type TestContext,
} from './helpers.ts';

// Real Redis; every session id is a fresh UUID, so parallel runs never touch each other's keys. Without a
// Redis (a learner's machine) the suite is skipped; in CI a missing Redis fails it (see redisAvailable).
const REDIS_URL = TEST_REDIS_URL;
const withRedis = await redisAvailable();
const CACHE_MS = 100;

/**
 * Another service, built only from the shared kit: it knows the auth service's JWKS and Redis, nothing else.
 * Nothing here comes from apps/auth/src.
 */
function otherService(auth: TestContext) {
  const verifier = createTokenVerifier({
    issuer: auth.config.AUTH_ISSUER,
    audience: auth.config.AUTH_AUDIENCE,
    jwksUrl: 'http://auth.test/.well-known/jwks.json',
    fetch: async () => Response.json((await request(auth.app).get('/.well-known/jwks.json')).body),
  });
  const revocation = createRedisRevocationCheck({ redisUrl: REDIS_URL, cacheMs: CACHE_MS });
  const app: express.Express = createServiceApp({
    name: 'tasks-like',
    config: { NODE_ENV: 'test', CORS_ORIGINS: [], BODY_LIMIT: '100kb', TRUST_PROXY: false },
    logger: testLogger,
    routes: (router) => {
      router.get('/whoami', requireAuth(verifier, { isRevoked: revocation.isRevoked }), (req, res) => {
        res.json({ id: currentUser(req).id });
      });
    },
  });
  return { app, close: () => revocation.close() };
}

const sidOf = (token: string) => (jwt.decode(token) as jwt.JwtPayload).sid as string;

describe.runIf(withRedis)('revocation reaches other services through Redis', () => {
  // The auth service reaches Redis through a proxy the tests can take down; the other service reaches it
  // directly. The relay drains the whole outbox table, so this file has a database of its own.
  const target = new URL(REDIS_URL);
  let database: ServiceTestDatabase;
  let proxy: TcpProxy;
  let authService: TestContext;
  let redis: Redis;
  let other: ReturnType<typeof otherService>;
  // Every session id this file publishes, so that afterAll leaves Redis as it found it.
  const published: string[] = [];

  beforeAll(async () => {
    database = await ownTestDatabase();
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
    const real = createRedisRevocationPublisher({
      redisUrl: proxy.urlFor('redis://127.0.0.1'),
      ttlSeconds: 900,
      timeoutMs: 300,
      logger: testLogger,
    });
    const publisher = {
      ...real,
      publish: (sessionIds: readonly string[]) => {
        published.push(...sessionIds);
        return real.publish(sessionIds);
      },
    };
    authService = buildTestApp(
      { DATABASE_URL: database.databaseUrl },
      { relay: { publisher, retryMaxMs: 1000 } },
    );
    redis = new Redis(REDIS_URL);
    other = otherService(authService);
  });
  afterAll(async () => {
    await other?.close();
    await authService?.close();
    if (published.length > 0) await redis.del(...published.map(revokedSessionKey));
    redis?.disconnect();
    await proxy?.close();
    await database?.teardown();
  });

  const whoami = (token: string) => request(other.app).get('/whoami').set('Authorization', `Bearer ${token}`);
  const logout = (refreshToken: string) =>
    request(authService.app).post('/auth/logout').send({ refreshToken });
  /** Waits until the session is on the Redis list, then for the other service's cache to expire. */
  async function untilRevokedEverywhere(accessToken: string): Promise<void> {
    const key = revokedSessionKey(sidOf(accessToken));
    await vi.waitFor(async () => expect(await redis.exists(key)).toBe(1), { timeout: 5000, interval: 20 });
    await sleep(CACHE_MS + 50);
  }
  const queued = async (accessToken: string) =>
    (await authService.db.prisma.revocationOutbox.count({ where: { sessionId: sidOf(accessToken) } })) > 0;

  it('after logout, another service built with the shared middleware rejects the access token', async () => {
    const user = await registerAndLogin(authService);
    const before = await whoami(user.accessToken);
    expect(before.status).toBe(200);
    expect(before.body.id).toBe(user.id);

    await logout(user.refreshToken).expect(204);
    await untilRevokedEverywhere(user.accessToken);

    const after = await whoami(user.accessToken);
    expect(after.status).toBe(401);
    expect(after.headers['www-authenticate']).toMatch(/revoked/);
    // Published, so no longer queued.
    await vi.waitFor(async () => expect(await queued(user.accessToken)).toBe(false), { interval: 20 });
  });

  it('logout-all revokes every session of the user in the other service, and only theirs', async () => {
    const user = await registerAndLogin(authService);
    const phone = await login(authService, user, 'phone');
    const bystander = await registerAndLogin(authService);
    await request(authService.app)
      .post('/auth/logout-all')
      .set('Authorization', `Bearer ${user.accessToken}`)
      .expect(204);
    await untilRevokedEverywhere(user.accessToken);
    await untilRevokedEverywhere(phone.accessToken);
    expect((await whoami(user.accessToken)).status).toBe(401);
    expect((await whoami(phone.accessToken)).status).toBe(401);
    expect((await whoami(bystander.accessToken)).status).toBe(200);
  });

  it('a replayed refresh token revokes the family in the other service too', async () => {
    const user = await registerAndLogin(authService);
    const rotated = await request(authService.app)
      .post('/auth/refresh')
      .send({ refreshToken: user.refreshToken });
    expect((await whoami(rotated.body.accessToken)).status).toBe(200);
    await request(authService.app)
      .post('/auth/refresh')
      .send({ refreshToken: user.refreshToken })
      .expect(401);
    await untilRevokedEverywhere(rotated.body.accessToken);
    expect((await whoami(rotated.body.accessToken)).status).toBe(401);
  });

  it('the revocation entry expires with the access token lifetime (plus a skew margin)', async () => {
    const user = await registerAndLogin(authService);
    await logout(user.refreshToken).expect(204);
    await untilRevokedEverywhere(user.accessToken);
    const ttl = await redis.ttl(revokedSessionKey(sidOf(user.accessToken)));
    expect(ttl).toBeGreaterThan(900);
    expect(ttl).toBeLessThanOrEqual(960);
  });

  it.each([
    ['refuses connections', (p: TcpProxy) => p.setMode('refuse')],
    ['accepts but never answers', (p: TcpProxy) => p.setMode('blackhole')],
  ])(
    'when Redis %s, logout answers 204 at once; once Redis is back the revocation is published within about a second and the other service rejects the token',
    async (_how, takeDown) => {
      const user = await registerAndLogin(authService);
      expect((await whoami(user.accessToken)).status).toBe(200);
      await takeDown(proxy);
      onTestFinished(() => proxy.setMode('forward'));

      const started = Date.now();
      await logout(user.refreshToken).expect(204);
      // Logout never waits for Redis (before the outbox: up to 8.9 s refused, over 20 s silent).
      expect(Date.now() - started).toBeLessThan(2000);
      expect(await queued(user.accessToken)).toBe(true);
      // A logout repeated meanwhile is a no-op, and the first one is still queued, not lost.
      await logout(user.refreshToken).expect(204);
      await sleep(400); // the relay tries, fails and backs off meanwhile
      expect(await queued(user.accessToken)).toBe(true);
      expect(await redis.exists(revokedSessionKey(sidOf(user.accessToken)))).toBe(0);
      // The auth service itself refuses the token at once: its database is the truth.
      expect(
        (await request(authService.app).get('/users/me').set('Authorization', `Bearer ${user.accessToken}`))
          .status,
      ).toBe(401);

      await proxy.setMode('forward');
      const back = Date.now();
      await vi.waitFor(
        async () => expect(await redis.exists(revokedSessionKey(sidOf(user.accessToken)))).toBe(1),
        { timeout: 5000, interval: 20 },
      );
      const publishedAfterMs = Date.now() - back;
      // About 0.2 to 0.5 s here (reconnection, then the relay at once); the bound leaves room for a loaded
      // machine without letting the back-off's worst case or the token lifetime pass.
      expect(publishedAfterMs).toBeLessThan(2000);
      // Deleted from the outbox once the relay saw Redis take it (a write that timed out while Redis was
      // silent may reach Redis later, so the entry can appear a pass before the row goes: at least once).
      await vi.waitFor(async () => expect(await queued(user.accessToken)).toBe(false), {
        timeout: 5000,
        interval: 20,
      });
      await sleep(CACHE_MS + 50);
      expect((await whoami(user.accessToken)).status).toBe(401);
    },
  );

  it('when Redis is unreachable, /readyz stays 200 but says redis is degraded, and sign-in still works', async () => {
    expect((await request(authService.app).get('/readyz')).body).toEqual({
      status: 'ready',
      checks: { database: 'ok', redis: 'ok' },
    });
    await proxy.setMode('refuse');
    onTestFinished(() => proxy.setMode('forward'));
    const res = await request(authService.app).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'degraded', checks: { database: 'ok', redis: 'degraded' } });
    const user = await registerAndLogin(authService);
    expect(
      (await request(authService.app).get('/users/me').set('Authorization', `Bearer ${user.accessToken}`))
        .status,
    ).toBe(200);

    await proxy.setMode('forward');
    await vi.waitFor(
      async () => expect((await request(authService.app).get('/readyz')).body.status).toBe('ready'),
      { timeout: 5000, interval: 50 },
    );
  });

  it('without Redis (no relay), the other service keeps accepting the token: its short lifetime is the bound', async () => {
    const withoutRedis = buildTestApp();
    const isolated = otherService(withoutRedis);
    try {
      const user = await registerAndLogin(withoutRedis);
      await request(withoutRedis.app)
        .post('/auth/logout')
        .send({ refreshToken: user.refreshToken })
        .expect(204);
      await sleep(CACHE_MS + 50);
      expect(
        (await request(isolated.app).get('/whoami').set('Authorization', `Bearer ${user.accessToken}`))
          .status,
      ).toBe(200);
      // The auth service itself checks its database and already refuses it.
      expect(
        (await request(withoutRedis.app).get('/users/me').set('Authorization', `Bearer ${user.accessToken}`))
          .status,
      ).toBe(401);
      // Without Redis, /readyz has nothing to say about it.
      expect((await request(withoutRedis.app).get('/readyz')).body.checks).toEqual({ database: 'ok' });
    } finally {
      await isolated.close();
      await withoutRedis.close();
    }
  });
});
