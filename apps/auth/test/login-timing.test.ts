import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { uniqueSuffix } from '@mini/testing';
import { buildTestApp, newUserInput } from './helpers.ts';

// A realistic bcrypt cost here: at the tests' usual cost of 4 a hash takes ~1 ms, too little for a missing
// dummy compare to show. At 10 it takes tens of milliseconds, so skipping it would stand out clearly.
const ctx = buildTestApp({ BCRYPT_COST: '10', LOGIN_MAX_FAILURES_PER_ACCOUNT: '1000' });
afterAll(() => ctx.close());

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

async function timed(body: object): Promise<number> {
  const started = performance.now();
  const res = await request(ctx.app).post('/auth/login').send(body);
  expect(res.status).toBe(401);
  return performance.now() - started;
}

describe('login timing', () => {
  it('an unknown email takes as long as a wrong password (dummy bcrypt compare), within a generous tolerance', async () => {
    const user = newUserInput();
    await request(ctx.app).post('/auth/register').send(user).expect(201);
    // Warm-up: the first compare also computes the dummy hash, and connections get opened.
    await timed({ email: `warm-${uniqueSuffix()}@example.com`, password: 'not the password' });
    await timed({ email: user.email, password: 'not the password' });

    const unknown: number[] = [];
    const wrong: number[] = [];
    for (let i = 0; i < 7; i++) {
      unknown.push(
        await timed({ email: `nobody-${uniqueSuffix()}@example.com`, password: 'not the password' }),
      );
      wrong.push(await timed({ email: user.email, password: 'not the password' }));
    }
    const [u, w] = [median(unknown), median(wrong)];
    // Both paths include a full bcrypt compare: neither may be less than half the other.
    expect(u).toBeGreaterThan(w * 0.5);
    expect(w).toBeGreaterThan(u * 0.5);
  });
});
