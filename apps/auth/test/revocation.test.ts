import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
import { redisAvailable, TEST_REDIS_URL } from '@mini/testing';
import {
  createRedisRevocationPublisher,
  type RevocationPublisher,
} from '../src/revocation/revocation-publisher.ts';
import { buildTestApp, login, registerAndLogin, testLogger, type TestContext } from './helpers.ts';

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

let publisher: RevocationPublisher;
let authService: TestContext;
let redis: Redis;
let other: ReturnType<typeof otherService>;
// Every session id this file publishes, so that afterAll leaves Redis as it found it.
const published: string[] = [];
beforeAll(() => {
  if (!withRedis) return;
  const real = createRedisRevocationPublisher({ redisUrl: REDIS_URL, ttlSeconds: 900, logger: testLogger });
  publisher = {
    ...real,
    publish: (sessionIds) => {
      published.push(...sessionIds);
      return real.publish(sessionIds);
    },
  };
  authService = buildTestApp({}, { revocations: publisher });
  redis = new Redis(REDIS_URL);
  other = otherService(authService);
});
afterAll(async () => {
  if (!withRedis) return;
  await other.close();
  await publisher.close();
  if (published.length > 0) await redis.del(...published.map(revokedSessionKey));
  await redis.quit();
  await authService.close();
});

const whoami = (token: string) => request(other.app).get('/whoami').set('Authorization', `Bearer ${token}`);
const settle = () => new Promise((resolve) => setTimeout(resolve, CACHE_MS + 50));
const sidOf = (token: string) => (jwt.decode(token) as jwt.JwtPayload).sid as string;

describe.runIf(withRedis)('revocation reaches other services through Redis', () => {
  it('after logout, another service built with the shared middleware rejects the access token', async () => {
    const user = await registerAndLogin(authService);
    const before = await whoami(user.accessToken);
    expect(before.status).toBe(200);
    expect(before.body.id).toBe(user.id);

    await request(authService.app).post('/auth/logout').send({ refreshToken: user.refreshToken }).expect(204);
    await settle();

    const after = await whoami(user.accessToken);
    expect(after.status).toBe(401);
    expect(after.headers['www-authenticate']).toMatch(/revoked/);
  });

  it('logout-all revokes every session of the user in the other service, and only theirs', async () => {
    const user = await registerAndLogin(authService);
    const phone = await login(authService, user, 'phone');
    const bystander = await registerAndLogin(authService);
    await request(authService.app)
      .post('/auth/logout-all')
      .set('Authorization', `Bearer ${user.accessToken}`)
      .expect(204);
    await settle();
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
    await settle();
    expect((await whoami(rotated.body.accessToken)).status).toBe(401);
  });

  it('the revocation entry expires with the access token lifetime (plus a skew margin)', async () => {
    const user = await registerAndLogin(authService);
    await request(authService.app).post('/auth/logout').send({ refreshToken: user.refreshToken }).expect(204);
    const ttl = await redis.ttl(revokedSessionKey(sidOf(user.accessToken)));
    expect(ttl).toBeGreaterThan(900);
    expect(ttl).toBeLessThanOrEqual(960);
  });

  it('without Redis (no publisher), the other service keeps accepting the token: its short lifetime is the bound', async () => {
    const withoutRedis = buildTestApp();
    const isolated = otherService(withoutRedis);
    try {
      const user = await registerAndLogin(withoutRedis);
      await request(withoutRedis.app)
        .post('/auth/logout')
        .send({ refreshToken: user.refreshToken })
        .expect(204);
      await settle();
      expect(
        (await request(isolated.app).get('/whoami').set('Authorization', `Bearer ${user.accessToken}`))
          .status,
      ).toBe(200);
      // The auth service itself checks its database and already refuses it.
      expect(
        (await request(withoutRedis.app).get('/users/me').set('Authorization', `Bearer ${user.accessToken}`))
          .status,
      ).toBe(401);
    } finally {
      await isolated.close();
      await withoutRedis.close();
    }
  });
});
