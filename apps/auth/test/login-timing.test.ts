import bcrypt from 'bcrypt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { uniqueSuffix } from '@mini/testing';
import { createAdminAccount } from '../src/cli/create-admin-account.ts';
import { createPasswordHasher } from '../src/passwords/password-hasher.ts';
import {
  TEST_PEPPER,
  buildTestApp,
  login,
  newUserInput,
  registerAndLogin,
  testLogger,
  type SignedIn,
} from './helpers.ts';

// A failed login must take as long whatever the reason, or its timing tells which emails have accounts.
// bcrypt is what takes the time (tens to hundreds of ms; the rest is a few ms), so instead of comparing
// wall-clock times, which other test files running in parallel make noisy, the test checks what the timing
// is made of: every failure runs exactly one bcrypt compare, against a hash of the same cost.
const COST = 5;
const bcryptCalls: string[] = [];
const countingBcrypt = {
  hash: (data: string, cost: number) => {
    bcryptCalls.push(`hash at cost ${cost}`);
    return bcrypt.hash(data, cost);
  },
  compare: (data: string, hash: string) => {
    bcryptCalls.push(`compare at cost ${bcrypt.getRounds(hash)}`);
    return bcrypt.compare(data, hash);
  },
};
const ctx = buildTestApp(
  { BCRYPT_COST: String(COST), LOGIN_MAX_FAILURES_PER_ACCOUNT: '1000' },
  {
    hasher: createPasswordHasher(
      { cost: COST, peppers: { current: TEST_PEPPER } },
      { concurrency: 2, queueLimit: 32, queueTimeoutMs: 60_000 },
      countingBcrypt,
    ),
  },
);
afterAll(() => ctx.close());

/** The bcrypt calls one failed login makes. */
async function bcryptCallsOfFailedLogin(body: { email: string; password: string }): Promise<string[]> {
  bcryptCalls.length = 0;
  const res = await request(ctx.app).post('/auth/login').send(body);
  expect(res.status).toBe(401);
  expect(res.body.code).toBe('invalid-credentials');
  return [...bcryptCalls];
}

let user: SignedIn;
let disabled: SignedIn;

beforeAll(async () => {
  user = await registerAndLogin(ctx);
  disabled = await registerAndLogin(ctx);
  const admin = newUserInput();
  await createAdminAccount(
    ctx.db,
    {
      ...admin,
      password: async () => admin.password,
      hashing: { cost: COST, peppers: { current: TEST_PEPPER } },
    },
    { logger: testLogger },
  );
  const { accessToken } = await login(ctx, admin);
  await request(ctx.app)
    .patch(`/admin/users/${disabled.id}`)
    .set('Authorization', `Bearer ${accessToken}`)
    .send({ disabled: true })
    .expect(200);
  // The first unknown email also makes the dummy hash (once per process): not part of any later attempt.
  await bcryptCallsOfFailedLogin({
    email: `warm-${uniqueSuffix()}@example.com`,
    password: 'not the password',
  });
});

describe('login timing', () => {
  const oneCompare = [`compare at cost ${COST}`];

  it('when the email is unknown, runs one bcrypt compare at BCRYPT_COST (against a dummy hash), as a wrong password does', async () => {
    expect(
      await bcryptCallsOfFailedLogin({ email: `nobody-${uniqueSuffix()}@example.com`, password: 'a guess' }),
    ).toEqual(oneCompare);
  });

  it('when the password is wrong, runs one bcrypt compare at BCRYPT_COST', async () => {
    expect(await bcryptCallsOfFailedLogin({ email: user.email, password: 'not the password' })).toEqual(
      oneCompare,
    );
  });

  it('when the account is disabled, runs the same one bcrypt compare, right password or not', async () => {
    expect(await bcryptCallsOfFailedLogin({ email: disabled.email, password: disabled.password })).toEqual(
      oneCompare,
    );
    expect(await bcryptCallsOfFailedLogin({ email: disabled.email, password: 'not the password' })).toEqual(
      oneCompare,
    );
  });
});
