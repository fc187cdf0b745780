import { afterAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import jwt from 'jsonwebtoken';
import path from 'node:path';
import { loadConfig } from '@mini/config';
import { configSchema } from '../src/config.ts';
import { createAdminAccount } from '../src/cli/create-admin-account.ts';
import {
  TEST_HASHING,
  buildTestApp,
  login,
  newUserInput,
  registerAndLogin,
  testLogger,
  type SignedIn,
  type TestContext,
} from './helpers.ts';

// What RealWorld's PUT /api/user needs from auth (the blog calls these): email change, password change in
// "sudo mode" (a recent sign-in instead of the current password), and the common-password switch.
const ctx = buildTestApp();
const relaxed = buildTestApp({ PASSWORD_COMMON_CHECK: 'off' });
afterAll(async () => {
  await ctx.close();
  await relaxed.close();
});

const as = (token: string) => ({ Authorization: `Bearer ${token}` });
const claims = (token: string) => jwt.decode(token) as { auth_time?: number; iat: number; role: string };

/**
 * Makes the user's sign-in look `minutes` old (its session's start moved back) and returns a fresh access
 * token of that session: what a client holds after refreshing for a while.
 */
async function agedSignIn(c: TestContext, user: SignedIn, minutes: number): Promise<SignedIn> {
  const sid = (jwt.decode(user.accessToken) as { sid: string }).sid;
  await c.db.prisma.session.update({
    where: { id: sid },
    data: { createdAt: new Date(Date.now() - minutes * 60_000) },
  });
  const refreshed = await request(c.app).post('/auth/refresh').send({ refreshToken: user.refreshToken });
  expect(refreshed.status).toBe(200);
  return { ...user, accessToken: refreshed.body.accessToken, refreshToken: refreshed.body.refreshToken };
}

function mailsTo(c: TestContext, email: string, subject: RegExp) {
  return c.outbox.messages.filter((m) => m.to === email && subject.test(m.subject));
}

describe('auth_time: when the user signed in', () => {
  it('is in every access token, and a refreshed token keeps the sign-in time, not the refresh time', async () => {
    const user = await registerAndLogin(ctx);
    const first = claims(user.accessToken);
    expect(first.auth_time).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(first.auth_time).toBeLessThanOrEqual(first.iat);

    const aged = await agedSignIn(ctx, user, 30);
    const later = claims(aged.accessToken);
    expect(later.auth_time).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) - 29 * 60);
    expect(later.iat - (later.auth_time ?? 0)).toBeGreaterThanOrEqual(29 * 60);
  });
});

describe('POST /users/me/password in sudo mode', () => {
  it('right after sign-in, needs only the new password; other sessions end, this one keeps working', async () => {
    const user = await registerAndLogin(ctx);
    const phone = await login(ctx, user, 'phone');
    const res = await request(ctx.app)
      .post('/users/me/password')
      .set(as(user.accessToken))
      .send({ newPassword: 'a fresh and long passphrase' });
    expect(res.status).toBe(204);
    expect((await request(ctx.app).get('/users/me').set(as(user.accessToken))).status).toBe(200);
    expect((await request(ctx.app).get('/users/me').set(as(phone.accessToken))).status).toBe(401);
    const relogin = await request(ctx.app)
      .post('/auth/login')
      .send({ email: user.email, password: 'a fresh and long passphrase' });
    expect(relogin.status).toBe(200);
  });

  it('with a sign-in older than REAUTH_WINDOW_SECONDS, refuses without the current password (422) and changes nothing', async () => {
    const user = await agedSignIn(ctx, await registerAndLogin(ctx), 10);
    const res = await request(ctx.app)
      .post('/users/me/password')
      .set(as(user.accessToken))
      .send({ newPassword: 'a fresh and long passphrase' });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({
      code: 'current-password-required',
      errors: { currentPassword: ['is required'] },
    });
    expect(res.body.detail).toMatch(/5 minute/);
    expect(
      (await request(ctx.app).post('/auth/login').send({ email: user.email, password: user.password }))
        .status,
    ).toBe(200);

    const withPassword = await request(ctx.app)
      .post('/users/me/password')
      .set(as(user.accessToken))
      .send({ currentPassword: user.password, newPassword: 'a fresh and long passphrase' });
    expect(withPassword.status).toBe(204);
  });

  it('in sudo mode, a current password that is sent is still checked', async () => {
    const user = await registerAndLogin(ctx);
    const res = await request(ctx.app)
      .post('/users/me/password')
      .set(as(user.accessToken))
      .send({ currentPassword: 'not my password at all', newPassword: 'a fresh and long passphrase' });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('wrong-current-password');
  });

  it('a token without auth_time (minted before it existed) is never in sudo mode', async () => {
    const strict = buildTestApp();
    try {
      const user = await registerAndLogin(strict);
      const key = strict.keys.signing;
      const old = claims(user.accessToken) as Record<string, unknown>;
      delete old.auth_time;
      delete old.exp;
      delete old.iat;
      const legacy = jwt.sign(old, key.privateKey, { algorithm: 'ES256', keyid: key.kid, expiresIn: 60 });
      const res = await request(strict.app)
        .post('/users/me/password')
        .set(as(legacy))
        .send({ newPassword: 'a fresh and long passphrase' });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('current-password-required');
    } finally {
      await strict.close();
    }
  });
});

describe('PATCH /users/me { email }', () => {
  it('changes the email: unverified until the new address confirms, old address notified, sign-in with the new one', async () => {
    const user = await registerAndLogin(ctx);
    const newEmail = `moved-${user.username}@example.org`;
    const res = await request(ctx.app).patch('/users/me').set(as(user.accessToken)).send({ email: newEmail });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ email: newEmail, emailVerified: false });

    await expect.poll(() => mailsTo(ctx, newEmail, /Confirm your email/).length, { timeout: 10_000 }).toBe(1);
    await expect
      .poll(() => mailsTo(ctx, user.email, /email address was changed/).length, { timeout: 10_000 })
      .toBe(1);
    expect(mailsTo(ctx, user.email, /email address was changed/)[0]?.text).toContain(newEmail);

    const token = /token=([\w-]+)/.exec(mailsTo(ctx, newEmail, /Confirm your email/)[0]?.text ?? '')?.[1];
    expect((await request(ctx.app).post('/auth/verify-email').send({ token })).status).toBe(204);
    expect((await request(ctx.app).get('/users/me').set(as(user.accessToken))).body.emailVerified).toBe(true);

    const byOld = await request(ctx.app)
      .post('/auth/login')
      .send({ email: user.email, password: user.password });
    expect(byOld.status).toBe(401);
    const byNew = await request(ctx.app)
      .post('/auth/login')
      .send({ email: newEmail, password: user.password });
    expect(byNew.status).toBe(200);
  });

  it('voids the verification and reset links mailed to the old address', async () => {
    const user = await registerAndLogin(ctx);
    await request(ctx.app).post('/auth/forgot-password').send({ email: user.email }).expect(202);
    await expect
      .poll(() => mailsTo(ctx, user.email, /Reset your password/).length, { timeout: 10_000 })
      .toBe(1);
    const resetToken = /token=([\w-]+)/.exec(
      mailsTo(ctx, user.email, /Reset your password/)[0]?.text ?? '',
    )?.[1];
    await expect
      .poll(() => mailsTo(ctx, user.email, /Confirm your email/).length, { timeout: 10_000 })
      .toBe(1);
    const verifyToken = /token=([\w-]+)/.exec(
      mailsTo(ctx, user.email, /Confirm your email/)[0]?.text ?? '',
    )?.[1];

    await request(ctx.app)
      .patch('/users/me')
      .set(as(user.accessToken))
      .send({ email: `moved-${user.username}@example.org` })
      .expect(200);

    const reset = await request(ctx.app)
      .post('/auth/reset-password')
      .send({ token: resetToken, password: 'a fresh and long passphrase' });
    expect(reset.status).toBe(422);
    expect((await request(ctx.app).post('/auth/verify-email').send({ token: verifyToken })).status).toBe(422);
    expect((await request(ctx.app).get('/users/me').set(as(user.accessToken))).body.emailVerified).toBe(
      false,
    );
  });

  it('with a sign-in older than the window, needs the current password; a wrong one is 422 and nothing changes', async () => {
    const user = await agedSignIn(ctx, await registerAndLogin(ctx), 10);
    const newEmail = `moved-${user.username}@example.org`;
    const bare = await request(ctx.app)
      .patch('/users/me')
      .set(as(user.accessToken))
      .send({ email: newEmail });
    expect(bare.status).toBe(422);
    expect(bare.body.code).toBe('current-password-required');
    const wrong = await request(ctx.app)
      .patch('/users/me')
      .set(as(user.accessToken))
      .send({ email: newEmail, currentPassword: 'not my password at all' });
    expect(wrong.status).toBe(422);
    expect(wrong.body.code).toBe('wrong-current-password');
    expect((await request(ctx.app).get('/users/me').set(as(user.accessToken))).body.email).toBe(user.email);

    const right = await request(ctx.app)
      .patch('/users/me')
      .set(as(user.accessToken))
      .send({ email: newEmail, currentPassword: user.password });
    expect(right.status).toBe(200);
    expect(right.body.email).toBe(newEmail);
  });

  it('with a sign-in older than the window, a username or display name change still needs no password', async () => {
    const user = await agedSignIn(ctx, await registerAndLogin(ctx), 10);
    const res = await request(ctx.app)
      .patch('/users/me')
      .set(as(user.accessToken))
      .send({ displayName: 'Still Me', email: user.email.toUpperCase() });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ displayName: 'Still Me', email: user.email.toUpperCase() });
  });

  it("to another account's email (in another case), returns 409 email-taken and changes nothing", async () => {
    const user = await registerAndLogin(ctx);
    const other = await registerAndLogin(ctx);
    const res = await request(ctx.app)
      .patch('/users/me')
      .set(as(user.accessToken))
      .send({ email: other.email.toUpperCase() });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'email-taken', errors: { email: ['is already registered'] } });
    expect((await request(ctx.app).get('/users/me').set(as(user.accessToken))).body.email).toBe(user.email);
  });

  it('a change of letter case only keeps the address verified and mails nobody', async () => {
    const user = await registerAndLogin(ctx);
    await ctx.db.prisma.user.update({ where: { id: user.id }, data: { emailVerifiedAt: new Date() } });
    const before = ctx.outbox.messages.length;
    const res = await request(ctx.app)
      .patch('/users/me')
      .set(as(user.accessToken))
      .send({ email: user.email.toUpperCase() });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ email: user.email.toUpperCase(), emailVerified: true });
    expect(ctx.outbox.messages.slice(before).filter((m) => m.to.toLowerCase() === user.email)).toEqual([]);
  });
});

describe('PASSWORD_COMMON_CHECK', () => {
  // The passwords RealWorld's API test collections use.
  const guessable = ['password123', 'bonjour1', 'a'.repeat(64)];

  it('defaults to on, and accepts only on or off', () => {
    const base = { NODE_ENV: 'test', DATABASE_URL: 'postgres://localhost/auth' };
    expect(configSchema.parse(base).PASSWORD_COMMON_CHECK).toBe('on');
    expect(configSchema.parse({ ...base, PASSWORD_COMMON_CHECK: 'off' }).PASSWORD_COMMON_CHECK).toBe('off');
    const wrong = configSchema.safeParse({ ...base, PASSWORD_COMMON_CHECK: 'no' });
    expect(wrong.error?.issues[0]).toMatchObject({
      path: ['PASSWORD_COMMON_CHECK'],
      message: 'expected on or off',
    });
  });

  it.each(guessable)('on: %s is refused at registration with 422 and a clear message', async (password) => {
    const res = await request(ctx.app)
      .post('/auth/register')
      .send({ ...newUserInput(), password });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('weak-password');
    expect(res.body.errors.password[0]).toMatch(/commonly used|repeats|first guesses/);
  });

  it("off: RealWorld's passwords register, sign in, and are accepted as new passwords", async () => {
    const input = newUserInput({ password: 'password123' });
    expect((await request(relaxed.app).post('/auth/register').send(input)).status).toBe(201);
    const tokens = await login(relaxed, input);
    for (const newPassword of ['bonjour1', 'a'.repeat(64)]) {
      const res = await request(relaxed.app)
        .post('/users/me/password')
        .set(as(tokens.accessToken))
        .send({ newPassword });
      expect(res.status).toBe(204);
    }
    const relogin = await request(relaxed.app)
      .post('/auth/login')
      .send({ email: input.email, password: 'a'.repeat(64) });
    expect(relogin.status).toBe(200);
  });

  it('off: length rules and the email/username rule still apply', async () => {
    const input = newUserInput();
    const short = await request(relaxed.app)
      .post('/auth/register')
      .send({ ...input, password: 'abc123' });
    expect(short.status).toBe(422);
    const asEmail = await request(relaxed.app)
      .post('/auth/register')
      .send({ ...input, password: input.email });
    expect(asEmail.status).toBe(422);
  });
});

describe('the manager role', () => {
  async function newAdmin(): Promise<SignedIn> {
    const input = newUserInput();
    const { user } = await createAdminAccount(
      ctx.db,
      { ...input, password: async () => input.password, hashing: TEST_HASHING },
      { logger: testLogger },
    );
    return { id: user.id, ...input, ...(await login(ctx, input)) };
  }

  it('an admin grants it; the user signs in again and their token says manager', async () => {
    const admin = await newAdmin();
    const user = await registerAndLogin(ctx);
    const res = await request(ctx.app)
      .patch(`/admin/users/${user.id}`)
      .set(as(admin.accessToken))
      .send({ role: 'manager' });
    expect(res.status).toBe(200);
    expect(res.body.role).toBe('manager');
    // A role change ends the sessions: the old token carries the old role.
    expect((await request(ctx.app).get('/users/me').set(as(user.accessToken))).status).toBe(401);
    const again = await login(ctx, user);
    expect(claims(again.accessToken).role).toBe('manager');
    const list = await request(ctx.app)
      .get('/admin/users')
      .query({ role: 'manager' })
      .set(as(admin.accessToken));
    expect(list.body.items.map((u: { id: string }) => u.id)).toContain(user.id);
  });

  it('an admin cannot make themselves a manager (the last admin would lock everyone out)', async () => {
    const admin = await newAdmin();
    const res = await request(ctx.app)
      .patch(`/admin/users/${admin.id}`)
      .set(as(admin.accessToken))
      .send({ role: 'manager' });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('cannot-change-own-access');
  });
});

describe('limits on account changes', () => {
  // Small limits, and every request from its own client address (TRUST_PROXY and X-Forwarded-For, as in
  // brute-force.test.ts): the counters live in the shared test database, keyed by address.
  const limited = buildTestApp({
    TRUST_PROXY: '1',
    LOGIN_MAX_FAILURES_PER_ACCOUNT: '2',
    MAIL_LIMIT_PER_IP: '2',
  });
  afterAll(() => limited.close());
  const randomIp = () =>
    `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250) + 1}`;

  async function signUp(ip: string) {
    const input = newUserInput();
    await request(limited.app).post('/auth/register').set('X-Forwarded-For', ip).send(input).expect(201);
    const res = await request(limited.app)
      .post('/auth/login')
      .set('X-Forwarded-For', ip)
      .send({ email: input.email, password: input.password })
      .expect(200);
    return { ...input, accessToken: res.body.accessToken as string };
  }

  it('wrong current passwords count as failed sign-ins: past the limit, PATCH /users/me is 429 with Retry-After', async () => {
    const ip = randomIp();
    const user = await signUp(ip);
    const attempt = () =>
      request(limited.app)
        .patch('/users/me')
        .set('X-Forwarded-For', ip)
        .set(as(user.accessToken))
        .send({ email: `moved-${user.username}@example.org`, currentPassword: 'not my password at all' });
    expect((await attempt()).status).toBe(422);
    expect((await attempt()).status).toBe(422);
    const locked = await attempt();
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('too-many-login-attempts');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('each new email is a mail sent: past the mail limit, PATCH /users/me is 429 and the email stays', async () => {
    const ip = randomIp();
    const user = await signUp(ip); // the registration's mail is the first from this address
    const change = (email: string) =>
      request(limited.app)
        .patch('/users/me')
        .set('X-Forwarded-For', ip)
        .set(as(user.accessToken))
        .send({ email });
    expect((await change(`first-${user.username}@example.org`)).status).toBe(200);
    const second = await change(`second-${user.username}@example.org`);
    expect(second.status).toBe(429);
    expect(second.body.code).toBe('too-many-mail-requests');
    const me = await request(limited.app).get('/users/me').set(as(user.accessToken));
    expect(me.body.email).toBe(`first-${user.username}@example.org`);
  });
});

describe('RealWorld usernames', () => {
  it('are accepted as they are generated by its test collections (letters, digits and _, up to 30)', async () => {
    const username = `ea_blankp_${Date.now()}${Math.random().toString(16).slice(2, 6)}`.slice(0, 30);
    const res = await request(ctx.app)
      .post('/auth/register')
      .send({ ...newUserInput(), username });
    expect(res.status).toBe(201);
    expect(res.body.username).toBe(username);
  });
});

describe('development limits', () => {
  // Issue 9: about 25 users registering and signing in from one address within a minute under pnpm dev
  // (a RealWorld test collection through the blog) must not be refused; production keeps its limits.
  const appDir = path.resolve(import.meta.dirname, '..');
  const base = {
    DATABASE_URL: 'postgres://localhost/auth',
    JWT_PRIVATE_KEY: 'x',
    PASSWORD_PEPPER: 'p'.repeat(32),
  };

  it('under pnpm dev (.env.development), one address may send 500 mail requests per window; in production 20', () => {
    const dev = loadConfig(configSchema, { cwd: appDir, env: { ...base, NODE_ENV: 'development' } });
    expect(dev.MAIL_LIMIT_PER_IP).toBeGreaterThanOrEqual(25);
    const prod = loadConfig(configSchema, { cwd: appDir, env: { ...base, NODE_ENV: 'production' } });
    expect(prod.MAIL_LIMIT_PER_IP).toBe(20);
  });

  it('with the development limit, 25 sign-ups from one address all succeed', async () => {
    const devLimits = buildTestApp({ TRUST_PROXY: '1', MAIL_LIMIT_PER_IP: '500' });
    try {
      const ip = `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.9`;
      for (let i = 0; i < 25; i++) {
        const input = newUserInput();
        const res = await request(devLimits.app)
          .post('/auth/register')
          .set('X-Forwarded-For', ip)
          .send(input);
        expect(res.status).toBe(201);
      }
    } finally {
      await devLimits.close();
    }
  });
});
