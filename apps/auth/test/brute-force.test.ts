import { afterAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { uniqueSuffix } from '@mini/testing';
import { buildTestApp, registerAndLogin } from './helpers.ts';

// Small limits so a handful of attempts trips them; TRUST_PROXY lets each test be its own client IP
// through X-Forwarded-For, as behind a real load balancer. Every failing request here must carry its own
// IP: a failure from 127.0.0.1 under these limits would lock that address for every other test file.
const ctx = buildTestApp({
  TRUST_PROXY: '1',
  LOGIN_MAX_FAILURES_PER_ACCOUNT: '3',
  LOGIN_MAX_FAILURES_PER_IP: '5',
  LOGIN_LOCK_BASE_SECONDS: '30',
});
afterAll(() => ctx.close());

const randomIp = () =>
  `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250) + 1}`;

const i6 = () => Math.floor(Math.random() * 0xffff).toString(16);

function attempt(email: string, password: string, ip = randomIp()) {
  return request(ctx.app).post('/auth/login').set('X-Forwarded-For', ip).send({ email, password });
}

/** Moves a key's lock into the past, as if its time had run out. */
async function expireLock(key: string) {
  await ctx.db.prisma.loginThrottle.update({
    where: { key },
    data: { lockedUntil: new Date(Date.now() - 1000) },
  });
}

describe('brute-force protection per account', () => {
  it('after 3 wrong passwords, the 4th attempt is 429 with Retry-After, even with the right password', async () => {
    const user = await registerAndLogin(ctx);
    for (let i = 0; i < 3; i++) expect((await attempt(user.email, 'wrong password')).status).toBe(401);

    const locked = await attempt(user.email, user.password);
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('too-many-login-attempts');
    const retryAfter = Number(locked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(30);
  });

  it('a locked account answers a right and a wrong password identically', async () => {
    const user = await registerAndLogin(ctx);
    for (let i = 0; i < 3; i++) await attempt(user.email, 'wrong password');
    const right = await attempt(user.email, user.password);
    const wrong = await attempt(user.email, 'wrong password');
    expect(right.status).toBe(wrong.status);
    expect({ ...right.body, requestId: undefined }).toEqual({ ...wrong.body, requestId: undefined });
  });

  it('an unknown email is locked exactly like a real one: a lock does not reveal which accounts exist', async () => {
    const email = `nobody-${uniqueSuffix()}@example.com`;
    for (let i = 0; i < 3; i++) expect((await attempt(email, 'whatever it is')).status).toBe(401);
    expect((await attempt(email, 'whatever it is')).status).toBe(429);
  });

  it('the back-off grows: once a lock ends, the next failure locks again for twice as long', async () => {
    const user = await registerAndLogin(ctx);
    for (let i = 0; i < 3; i++) await attempt(user.email, 'wrong password');
    const first = Number((await attempt(user.email, 'wrong password')).headers['retry-after']);

    const key = `account:${user.email.toLowerCase()}`;
    await expireLock(key);
    expect((await attempt(user.email, 'wrong password')).status).toBe(401);
    const second = Number((await attempt(user.email, 'wrong password')).headers['retry-after']);
    expect(second).toBeGreaterThan(first);
    expect(second).toBeGreaterThanOrEqual(59);

    await expireLock(key);
    await attempt(user.email, 'wrong password');
    const third = Number((await attempt(user.email, 'wrong password')).headers['retry-after']);
    expect(third).toBeGreaterThanOrEqual(119);
  });

  it('a successful sign-in resets the account counter', async () => {
    const user = await registerAndLogin(ctx);
    for (let i = 0; i < 2; i++) await attempt(user.email, 'wrong password');
    expect((await attempt(user.email, user.password)).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await attempt(user.email, 'wrong password')).status).toBe(401);
    expect((await attempt(user.email, user.password)).status).toBe(200);
  });

  it('when 20 wrong passwords arrive at once, at most 3 are checked (401) and the rest get 429, none 500', async () => {
    const user = await registerAndLogin(ctx);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => attempt(user.email, 'wrong password')),
    );
    const statuses = answers.map((res) => res.status);
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(3);
    expect(statuses.every((status) => status === 401 || status === 429)).toBe(true);
    for (const res of answers.filter((r) => r.status === 429)) {
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
    // The limit was reached, so the account is locked now, even for the right password.
    expect((await attempt(user.email, user.password)).status).toBe(429);
  });

  it('the email is counted case-insensitively and trimmed', async () => {
    const user = await registerAndLogin(ctx);
    await attempt(user.email.toUpperCase(), 'wrong password');
    await attempt(` ${user.email}`, 'wrong password');
    await attempt(user.email, 'wrong password');
    expect((await attempt(user.email, user.password)).status).toBe(429);
  });
});

describe('brute-force protection per IP', () => {
  it('one IP failing across many accounts is locked out, other IPs are not', async () => {
    const ip = randomIp();
    for (let i = 0; i < 5; i++) {
      expect((await attempt(`spray-${uniqueSuffix()}@example.com`, 'Summer2024!', ip)).status).toBe(401);
    }
    const user = await registerAndLogin(ctx);
    const fromAttacker = await attempt(user.email, user.password, ip);
    expect(fromAttacker.status).toBe(429);
    expect(Number(fromAttacker.headers['retry-after'])).toBeGreaterThan(0);
    expect((await attempt(user.email, user.password, randomIp())).status).toBe(200);
  });
});

describe('brute-force protection per IP behind one trusted proxy (TRUST_PROXY=1)', () => {
  it('when a client writes a new X-Forwarded-For for every attempt, it is still one IP: the 6th is 429', async () => {
    // The proxy appends the address it saw; everything before that entry is the client's own writing.
    const seenByProxy = randomIp();
    const spoofed = (i: number) => `198.51.100.${i + 1}, ${seenByProxy}`;
    for (let i = 0; i < 5; i++) {
      const res = await attempt(`spray-${uniqueSuffix()}@example.com`, 'Summer2024!', spoofed(i));
      expect(res.status).toBe(401);
    }
    const sixth = await attempt(`spray-${uniqueSuffix()}@example.com`, 'Summer2024!', spoofed(5));
    expect(sixth.status).toBe(429);
    expect(sixth.body.code).toBe('too-many-login-attempts');
  });
});

describe('brute-force back-off per IP', () => {
  it('once an IP lock ends, the next failure from that IP locks it again for twice as long', async () => {
    const ip = randomIp();
    for (let i = 0; i < 5; i++) await attempt(`spray-${uniqueSuffix()}@example.com`, 'Summer2024!', ip);
    const first = Number(
      (await attempt(`spray-${uniqueSuffix()}@example.com`, 'x', ip)).headers['retry-after'],
    );
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(30);

    await expireLock(`ip:${ip}`);
    expect((await attempt(`spray-${uniqueSuffix()}@example.com`, 'Summer2024!', ip)).status).toBe(401);
    const second = await attempt(`spray-${uniqueSuffix()}@example.com`, 'Summer2024!', ip);
    expect(second.status).toBe(429);
    expect(Number(second.headers['retry-after'])).toBeGreaterThanOrEqual(59);
  });
});

describe('brute-force protection per IPv6 /64', () => {
  it('failures from different addresses of one IPv6 /64 add up: the 6th address of that /64 is locked out', async () => {
    const prefix = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:${Math.floor(Math.random() * 0xffff).toString(16)}`;
    for (let i = 1; i <= 5; i++) {
      expect(
        (await attempt(`spray-${uniqueSuffix()}@example.com`, 'Summer2024!', `${prefix}::${i}`)).status,
      ).toBe(401);
    }
    const user = await registerAndLogin(ctx);
    expect((await attempt(user.email, user.password, `${prefix}:aaaa:bbbb:cccc:dddd`)).status).toBe(429);
    expect((await attempt(user.email, user.password, `2001:db8:ffff:${i6()}::1`)).status).toBe(200);
  });
});

describe('brute-force protection per IP, in parallel', () => {
  it('when 20 wrong logins for different emails arrive at once from one IP, at most 5 are checked (401)', async () => {
    const ip = randomIp();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => attempt(`spray-${uniqueSuffix()}@example.com`, 'Summer2024!', ip)),
    );
    const statuses = answers.map((res) => res.status);
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.every((status) => status === 401 || status === 429)).toBe(true);
  });
});

describe('brute-force protection on password change', () => {
  it('wrong current passwords count against the account: a stolen access token cannot guess it forever', async () => {
    const user = await registerAndLogin(ctx);
    // Its own client IP: 127.0.0.1 is shared with every other test file running against this database.
    const ip = randomIp();
    const change = (currentPassword: string) =>
      request(ctx.app)
        .post('/users/me/password')
        .set('X-Forwarded-For', ip)
        .set('Authorization', `Bearer ${user.accessToken}`)
        .send({ currentPassword, newPassword: 'a different passphrase' });
    for (let i = 0; i < 3; i++) expect((await change('a wrong guess')).status).toBe(422);
    const locked = await change(user.password);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
  });
});
