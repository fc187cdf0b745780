import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { redisAvailable, TEST_REDIS_URL } from '@mini/testing';
import { createRedisRevocationCheck, revokedSessionKey, type AccessTokenClaims } from '../src/index.ts';

// Real Redis (docker-compose's, or the machine's); every test uses fresh random session ids, so parallel
// runs never see each other's keys.
const REDIS_URL = TEST_REDIS_URL;
const withRedis = await redisAvailable();
// lazyConnect: no connection at all when the suite is skipped for want of a Redis.
const redis = new Redis(REDIS_URL, { lazyConnect: true });
const created: string[] = [];
afterAll(async () => {
  if (created.length > 0) await redis.del(...created);
  redis.disconnect();
});

function claims(sid?: string): AccessTokenClaims {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: randomUUID(),
    role: 'user',
    iss: 'x',
    aud: 'y',
    iat: now,
    exp: now + 600,
    ...(sid ? { sid } : {}),
  };
}

async function revoke(sid: string): Promise<void> {
  created.push(revokedSessionKey(sid));
  await redis.set(revokedSessionKey(sid), '1', 'EX', 60);
}

describe.runIf(withRedis)('createRedisRevocationCheck with Redis', () => {
  it('when the session id is on the revocation list, answers revoked; otherwise not', async () => {
    const check = createRedisRevocationCheck({ redisUrl: REDIS_URL });
    try {
      const revokedSid = randomUUID();
      await revoke(revokedSid);
      expect(await check.isRevoked(claims(revokedSid))).toBe(true);
      expect(await check.isRevoked(claims(randomUUID()))).toBe(false);
    } finally {
      await check.close();
    }
  });

  it('reuses a "not revoked" answer for cacheMs, then sees a new revocation', async () => {
    const check = createRedisRevocationCheck({ redisUrl: REDIS_URL, cacheMs: 150 });
    try {
      const sid = randomUUID();
      expect(await check.isRevoked(claims(sid))).toBe(false);
      await revoke(sid);
      expect(await check.isRevoked(claims(sid))).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await check.isRevoked(claims(sid))).toBe(true);
    } finally {
      await check.close();
    }
  });

  it('keeps a "revoked" answer even if the key is gone, until the token expires', async () => {
    const check = createRedisRevocationCheck({ redisUrl: REDIS_URL, cacheMs: 1 });
    try {
      const sid = randomUUID();
      await revoke(sid);
      expect(await check.isRevoked(claims(sid))).toBe(true);
      await redis.del(revokedSessionKey(sid));
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(await check.isRevoked(claims(sid))).toBe(true);
    } finally {
      await check.close();
    }
  });

  it('accepts a token without a sid (nothing to revoke it by)', async () => {
    const check = createRedisRevocationCheck({ redisUrl: REDIS_URL });
    try {
      expect(await check.isRevoked(claims())).toBe(false);
    } finally {
      await check.close();
    }
  });
});

describe('createRedisRevocationCheck without Redis', () => {
  it('when Redis is unreachable, fails open (not revoked) quickly and reports the error', async () => {
    const errors: Error[] = [];
    const check = createRedisRevocationCheck({
      redisUrl: 'redis://127.0.0.1:1',
      onError: (err) => errors.push(err),
    });
    try {
      const started = Date.now();
      expect(await check.isRevoked(claims(randomUUID()))).toBe(false);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(errors.length).toBeGreaterThan(0);
    } finally {
      await check.close();
    }
  });
});
