import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { redisAvailable, startTcpProxy, TEST_REDIS_URL, type TcpProxy } from '@mini/testing';
import {
  createRedisRevocationCheck,
  revokedSessionKey,
  type AccessTokenClaims,
  type RedisRevocationCheck,
} from '../src/index.ts';

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

/**
 * Whether every look-up resolved "at once": before a 0 ms timer fires. A look-up that answers from memory
 * settles in the microtask queue, which always runs before timers, however loaded the machine is; one that
 * asks Redis needs at least a network round trip, which is a macrotask. No wall-clock comparison involved.
 */
async function answeredAtOnce(lookups: Array<Promise<boolean>>): Promise<boolean[] | 'waited'> {
  return Promise.race([Promise.all(lookups), sleep(0).then(() => 'waited' as const)]);
}

const lookupsOfNewSessions = (check: RedisRevocationCheck, count: number) =>
  Array.from({ length: count }, () => check.isRevoked(claims(randomUUID())));

describe('createRedisRevocationCheck without Redis', () => {
  it('when Redis is unreachable, fails open (not revoked), reports the error, and then answers at once', async () => {
    const errors: Error[] = [];
    const check = createRedisRevocationCheck({
      redisUrl: 'redis://127.0.0.1:1',
      breakerMs: 60_000,
      onError: (err) => errors.push(err),
    });
    try {
      expect(await check.isRevoked(claims(randomUUID()))).toBe(false);
      expect(errors.length).toBeGreaterThan(0);
      expect(await answeredAtOnce(lookupsOfNewSessions(check, 20))).toEqual(Array(20).fill(false));
      await expect(check.ping()).rejects.toThrow();
    } finally {
      await check.close();
    }
  });
});

describe.runIf(withRedis)('createRedisRevocationCheck when Redis goes away and comes back', () => {
  const target = new URL(REDIS_URL);
  let proxy: TcpProxy;
  const open: RedisRevocationCheck[] = [];
  afterAll(async () => {
    await Promise.all(open.map((check) => check.close()));
    await proxy?.close();
  });

  async function connectedCheck(options: { breakerMs: number; cacheMs?: number; timeoutMs?: number }) {
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
    const events: string[] = [];
    const check = createRedisRevocationCheck({
      redisUrl: proxy.urlFor('redis://127.0.0.1'),
      timeoutMs: 300,
      ...options,
      onError: () => events.push('error'),
      onRecover: () => events.push('recover'),
    });
    open.push(check);
    // Connected, and answering through the proxy.
    const revokedSid = randomUUID();
    await revoke(revokedSid);
    expect(await check.isRevoked(claims(revokedSid))).toBe(true);
    return { check, events };
  }

  it.each([
    ['refuses connections', (p: TcpProxy) => p.setMode('refuse')],
    ['accepts but never answers', (p: TcpProxy) => p.setMode('blackhole')],
  ])(
    'when Redis %s, after the first failed look-up the next ones answer "not revoked" at once, without asking Redis',
    async (_how, takeDown) => {
      const { check, events } = await connectedCheck({ breakerMs: 60_000 });
      await takeDown(proxy);
      const swallowedBefore = proxy.swallowed().length;

      const sid = randomUUID();
      await revoke(sid);
      // The first one waits (for the refusal, or the timeout) and fails open.
      const first = check.isRevoked(claims(sid));
      expect(await answeredAtOnce([first])).toBe('waited');
      expect(await first).toBe(false);
      expect(events).toEqual(['error']);

      const swallowedAfterFailure = proxy.swallowed().toString('latin1');
      expect(await answeredAtOnce(lookupsOfNewSessions(check, 50))).toEqual(Array(50).fill(false));
      // None of those 50 sent an EXISTS: whatever reached the void afterwards (ioredis' reconnection
      // handshakes) holds no look-up.
      const sentDuringOpen = proxy.swallowed().toString('latin1').slice(swallowedAfterFailure.length);
      expect(sentDuringOpen).not.toMatch(/exists/i);
      expect(swallowedBefore).toBeLessThanOrEqual(swallowedAfterFailure.length);
      expect(events).toEqual(['error']);
    },
  );

  it('after the breaker period, one look-up probes Redis while the others still answer at once; a failed probe reopens it', async () => {
    const { check } = await connectedCheck({ breakerMs: 200 });
    await proxy.setMode('blackhole');
    expect(await check.isRevoked(claims(randomUUID()))).toBe(false);
    await sleep(250);

    const probe = check.isRevoked(claims(randomUUID()));
    const others = lookupsOfNewSessions(check, 10);
    expect(await answeredAtOnce(others)).toEqual(Array(10).fill(false));
    expect(await answeredAtOnce([probe])).toBe('waited');
    expect(await probe).toBe(false);
    // The probe failed: open again.
    expect(await answeredAtOnce(lookupsOfNewSessions(check, 10))).toEqual(Array(10).fill(false));
  });

  it.each([
    ['refused', (p: TcpProxy) => p.setMode('refuse')],
    ['silent', (p: TcpProxy) => p.setMode('blackhole')],
  ])(
    'when Redis is back after being %s, a session revoked meanwhile is rejected again within the breaker period and the cache time',
    async (_how, takeDown) => {
      const breakerMs = 200;
      const cacheMs = 100;
      const { check, events } = await connectedCheck({ breakerMs, cacheMs });
      const sid = randomUUID();
      expect(await check.isRevoked(claims(sid))).toBe(false); // cached "not revoked"
      await takeDown(proxy);
      expect(await check.isRevoked(claims(randomUUID()))).toBe(false); // trips the breaker
      await revoke(sid); // logged out while this service cannot see Redis
      await sleep(cacheMs + 50);
      expect(await check.isRevoked(claims(sid))).toBe(false); // fails open meanwhile

      await proxy.setMode('forward');
      const back = Date.now();
      await vi.waitFor(async () => expect(await check.isRevoked(claims(sid))).toBe(true), {
        timeout: 5000,
        interval: 20,
      });
      // breaker period + reconnection + cache time, with room for a loaded machine; the point is
      // that it is bounded by these settings, not by the token's lifetime.
      expect(Date.now() - back).toBeLessThan(breakerMs + cacheMs + 2000);
      expect(events).toEqual(['error', 'recover']);
    },
  );
});
