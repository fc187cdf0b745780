import { afterAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { uniqueSuffix } from '@mini/testing';
import { createHashingGate } from '../src/passwords/hashing-gate.ts';
import { buildTestApp } from './helpers.ts';

// One hash at a time and one waiting: a burst of logins overflows the gate at once. A cost high enough
// (~50 ms a hash) that the burst really overlaps; the service's own client IP, through X-Forwarded-For.
const ctx = buildTestApp({
  TRUST_PROXY: '1',
  BCRYPT_COST: '10',
  PASSWORD_HASH_CONCURRENCY: '1',
  PASSWORD_HASH_QUEUE_LIMIT: '1',
});
// A long queue that drains slowly: only the time limit on waiting can turn the burst away.
const slowQueue = buildTestApp({
  TRUST_PROXY: '1',
  BCRYPT_COST: '10',
  PASSWORD_HASH_CONCURRENCY: '1',
  PASSWORD_HASH_QUEUE_LIMIT: '50',
  PASSWORD_HASH_QUEUE_TIMEOUT_MS: '10',
});
afterAll(() => Promise.all([ctx.close(), slowQueue.close()]));

const ip = `10.77.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250) + 1}`;

describe('password hashing under load', () => {
  it('when logins exceed the hashing capacity and queue, the extra ones get 503 busy with Retry-After: 1, none 500', async () => {
    const answers = await Promise.all(
      Array.from({ length: 12 }, () =>
        request(ctx.app)
          .post('/auth/login')
          .set('X-Forwarded-For', ip)
          .send({ email: `load-${uniqueSuffix()}@example.com`, password: 'not the password' }),
      ),
    );
    const statuses = answers.map((res) => res.status);
    expect(statuses.every((status) => status === 401 || status === 503)).toBe(true);
    const busy = answers.filter((res) => res.status === 503);
    expect(busy.length).toBeGreaterThan(0);
    for (const res of busy) {
      expect(res.headers['retry-after']).toBe('1');
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.code).toBe('busy');
    }
  });

  it('when a burst for one account overflows the gate, the refused attempts are not counted as failures', async () => {
    const email = `load-${uniqueSuffix()}@example.com`;
    const answers = await Promise.all(
      Array.from({ length: 12 }, () =>
        request(ctx.app)
          .post('/auth/login')
          .set('X-Forwarded-For', ip)
          .send({ email, password: 'not the password' }),
      ),
    );
    expect(answers.every((res) => [401, 429, 503].includes(res.status))).toBe(true);
    const checked = answers.filter((res) => res.status === 401).length;
    expect(checked).toBeLessThanOrEqual(5);
    const row = await ctx.db.prisma.loginThrottle.findUnique({ where: { key: `account:${email}` } });
    expect(row).toMatchObject({ failures: checked, inFlight: 0 });
  });
  it('when a login waits in the hashing queue longer than PASSWORD_HASH_QUEUE_TIMEOUT_MS, it gets 503 busy instead of waiting on', async () => {
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        request(slowQueue.app)
          .post('/auth/login')
          .set('X-Forwarded-For', ip)
          .send({ email: `queue-${uniqueSuffix()}@example.com`, password: 'not the password' }),
      ),
    );
    const busy = answers.filter((res) => res.status === 503);
    expect(answers.every((res) => res.status === 401 || res.status === 503)).toBe(true);
    expect(busy.length).toBeGreaterThan(0);
    for (const res of busy) {
      expect(res.body.code).toBe('busy');
      expect(res.headers['retry-after']).toBe('1');
    }
  });
});

describe('hashing gate', () => {
  it('runs at most `concurrency` jobs at once, queues up to `queueLimit`, and refuses the rest with 503', async () => {
    const gate = createHashingGate({ concurrency: 2, queueLimit: 1, queueTimeoutMs: 60_000 });
    let active = 0;
    let peak = 0;
    const job = async () => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((resolve) => setTimeout(resolve, 20));
      active--;
      return 'done';
    };
    const runs = [1, 2, 3, 4].map(() => gate.run(job));
    expect(() => gate.assertNotFull()).toThrow(expect.objectContaining({ status: 503, code: 'busy' }));
    const results = await Promise.allSettled(runs);
    expect(() => gate.assertNotFull()).not.toThrow();
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    expect(peak).toBe(2);
    const refused = results[3] as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ status: 503, code: 'busy', headers: { 'Retry-After': '1' } });
    expect(gate.stats()).toEqual({ running: 0, waiting: 0 });
  });

  it('refuses a job that waited queueTimeoutMs with 503 busy, and leaves the queue so no slot is lost', async () => {
    const gate = createHashingGate({ concurrency: 1, queueLimit: 5, queueTimeoutMs: 20 });
    let finishFirst = () => {};
    const first = gate.run(() => new Promise<void>((resolve) => (finishFirst = resolve)));
    const second = gate.run(async () => 'ran');
    await expect(second).rejects.toMatchObject({
      status: 503,
      code: 'busy',
      headers: { 'Retry-After': '1' },
    });
    expect(gate.stats()).toEqual({ running: 1, waiting: 0 });
    finishFirst();
    await first;
    expect(gate.stats()).toEqual({ running: 0, waiting: 0 });
    await expect(gate.run(async () => 'next')).resolves.toBe('next');
  });

  it('a job whose turn comes before its time limit runs normally', async () => {
    const gate = createHashingGate({ concurrency: 1, queueLimit: 5, queueTimeoutMs: 60_000 });
    let finishFirst = () => {};
    const first = gate.run(() => new Promise<void>((resolve) => (finishFirst = resolve)));
    const second = gate.run(async () => 'ran');
    finishFirst();
    await first;
    await expect(second).resolves.toBe('ran');
    expect(gate.stats()).toEqual({ running: 0, waiting: 0 });
  });
});
