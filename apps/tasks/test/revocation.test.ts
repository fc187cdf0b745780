import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRevocationList, revokedSessionKey, type RedisRevocationCheck } from '@mini/auth';
import { loadConfig } from '@mini/config';
import {
  captureLogs,
  redisAvailable,
  startTcpProxy,
  TEST_REDIS_URL,
  testAuth,
  tokenFor,
} from '@mini/testing';
import { createApp } from '../src/app.ts';
import { configSchema } from '../src/config.ts';
import { connectDatabase, type Database } from '../src/db.ts';
import { testConfig, testLogger } from './helpers.ts';

// Real Redis where it answers (CI requires it, see redisAvailable); session ids are random, so parallel
// runs never see each other's keys.
const withRedis = await redisAvailable();

describe.runIf(withRedis)('logout reaches tasks (REDIS_URL set)', () => {
  // lazyConnect: the describe block's body runs even when it is skipped for want of a Redis.
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true });
  const written: string[] = [];
  let db: Database;
  let revocation: RedisRevocationCheck;
  let app: ReturnType<typeof createApp>;

  beforeAll(() => {
    const config = testConfig({ REDIS_URL: TEST_REDIS_URL });
    db = connectDatabase(config.DATABASE_URL, testLogger);
    const check = connectRevocationList(config, testLogger, 'tasks');
    if (!check) throw new Error('connectRevocationList ignored REDIS_URL');
    revocation = check;
    app = createApp({ config, db, logger: testLogger, revocationList: revocation });
  });

  afterAll(async () => {
    if (written.length > 0) await redis.del(...written);
    redis.disconnect();
    await revocation.close();
    await db.close();
  });

  /** What the auth service writes when a session ends (its revocation publisher). */
  async function endSession(sid: string): Promise<void> {
    written.push(revokedSessionKey(sid));
    await redis.set(revokedSessionKey(sid), '1', 'EX', 60);
  }

  it('when the token’s session has been ended at the auth service, a tasks route answers 401; another session of the same user gets 200', async () => {
    const sub = randomUUID();
    const endedSid = randomUUID();
    await endSession(endedSid);

    const ended = await request(app)
      .get('/projects')
      .set('Authorization', `Bearer ${tokenFor({ sub, sid: endedSid })}`);
    expect(ended.status).toBe(401);
    expect(ended.headers['www-authenticate']).toMatch(/error="invalid_token"/);

    const other = await request(app)
      .get('/projects')
      .set('Authorization', `Bearer ${tokenFor({ sub, sid: randomUUID() })}`);
    expect(other.status).toBe(200);
  });
});

describe.runIf(withRedis)('tasks while Redis is down (REDIS_URL set)', () => {
  const target = new URL(TEST_REDIS_URL);
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true });
  const written: string[] = [];
  afterAll(async () => {
    if (written.length > 0) await redis.del(...written);
    redis.disconnect();
  });

  it('when Redis becomes unreachable, /readyz stays 200 but says degraded, and tokens are accepted; once it is back, ended sessions get 401 again', async () => {
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
    const config = testConfig({
      REDIS_URL: proxy.urlFor('redis://127.0.0.1'),
      REDIS_TIMEOUT_MS: '300',
      REVOCATION_CACHE_MS: '100',
      REVOCATION_BREAKER_MS: '200',
    });
    const db = connectDatabase(config.DATABASE_URL, testLogger);
    const revocation = connectRevocationList(config, testLogger, 'tasks');
    if (!revocation) throw new Error('connectRevocationList ignored REDIS_URL');
    const app = createApp({ config, db, logger: testLogger, revocationList: revocation });
    try {
      const ready = await request(app).get('/readyz');
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({ status: 'ready', checks: { database: 'ok', redis: 'ok' } });

      await proxy.setMode('refuse');
      const degraded = await request(app).get('/readyz');
      expect(degraded.status).toBe(200);
      expect(degraded.body).toEqual({ status: 'degraded', checks: { database: 'ok', redis: 'degraded' } });

      // Logged out at the auth service while tasks cannot see Redis: accepted (fails open) ...
      const sid = randomUUID();
      written.push(revokedSessionKey(sid));
      await redis.set(revokedSessionKey(sid), '1', 'EX', 60);
      const token = tokenFor({ sub: randomUUID(), sid });
      expect((await request(app).get('/projects').set('Authorization', `Bearer ${token}`)).status).toBe(200);

      // ... and refused again once Redis is back.
      await proxy.setMode('forward');
      await expect
        .poll(
          async () => (await request(app).get('/projects').set('Authorization', `Bearer ${token}`)).status,
          {
            timeout: 5000,
            interval: 50,
          },
        )
        .toBe(401);
      expect((await request(app).get('/readyz')).body.status).toBe('ready');
    } finally {
      await revocation.close();
      await db.close();
      await proxy.close();
    }
  });
});

describe('REDIS_URL configuration', () => {
  it('when REDIS_URL is not set, one warning says logouts reach tasks only when access tokens expire', () => {
    const { logger, entries } = captureLogs('info');
    expect(connectRevocationList(testConfig(), logger, 'tasks')).toBeUndefined();
    expect(entries()).toEqual([
      expect.objectContaining({ level: 40, msg: expect.stringMatching(/REDIS_URL.*access tokens expire/) }),
    ]);
  });

  it('when a revocation timing is not a number of milliseconds, start-up is refused naming it', () => {
    const env = {
      DATABASE_URL: 'postgres://tasks@127.0.0.1:5432/tasks',
      AUTH_PUBLIC_KEY: testAuth.publicKey,
      REVOCATION_BREAKER_MS: 'soon',
    };
    expect(() => loadConfig(configSchema, { cwd: '/nonexistent', env })).toThrow(
      'REVOCATION_BREAKER_MS: expected a whole number of milliseconds',
    );
  });

  it('without revocation timings, the check waits 500 ms at most, caches 500 ms and opens its breaker for 500 ms', () => {
    const config = testConfig();
    expect(config).toMatchObject({
      REDIS_TIMEOUT_MS: 500,
      REVOCATION_CACHE_MS: 500,
      REVOCATION_BREAKER_MS: 500,
    });
  });

  it('when REDIS_URL is not a redis:// URL, start-up is refused naming it', () => {
    const env = {
      DATABASE_URL: 'postgres://tasks@127.0.0.1:5432/tasks',
      AUTH_PUBLIC_KEY: testAuth.publicKey,
      REDIS_URL: 'http://127.0.0.1:6379',
    };
    expect(() => loadConfig(configSchema, { cwd: '/nonexistent', env })).toThrow(
      'REDIS_URL: expected a redis:// or rediss:// URL',
    );
  });
});
