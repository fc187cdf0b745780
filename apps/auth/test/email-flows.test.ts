import { afterAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { loadConfig } from '@mini/config';
import { uniqueSuffix } from '@mini/testing';
import { createApp } from '../src/app.ts';
import { configSchema } from '../src/config.ts';
import { connectDatabase } from '../src/db.ts';
import { loadKeyStore } from '../src/keys/key-store.ts';
import {
  TEST_PEPPER,
  TEST_PRIVATE_KEY,
  buildTestApp,
  expectPasswordReplaced,
  login,
  registerAndLogin,
  testConfig,
  testLogger,
  type TestContext,
} from './helpers.ts';

const ctx = buildTestApp({
  PUBLIC_API_URL: 'https://api.example.test',
  PUBLIC_APP_URL: 'https://app.example.test',
});
afterAll(() => ctx.close());

/**
 * The token in the latest mail to `email` with this subject. Mail goes out in the background, so it is
 * awaited; and a registration's verification mail may arrive after a reset mail asked for later, so the
 * subject, not the order, picks the message.
 */
async function tokenFromMail(c: TestContext, email: string, subject: RegExp): Promise<string> {
  const find = () => c.outbox.messages.findLast((m) => m.to === email && subject.test(m.subject));
  await expect.poll(() => find()?.text ?? '', { timeout: 10_000 }).toMatch(/token=/);
  const text = find()?.text ?? '';
  const match = /token=([\w-]+)/.exec(text);
  if (!match?.[1]) throw new Error(`no token in mail: ${text}`);
  return match[1];
}

const me = (token: string) => request(ctx.app).get('/users/me').set('Authorization', `Bearer ${token}`);

describe('email verification', () => {
  it('registration mails a link; POST /auth/verify-email with its token marks the email verified', async () => {
    const user = await registerAndLogin(ctx);
    expect((await me(user.accessToken)).body.emailVerified).toBe(false);
    const token = await tokenFromMail(ctx, user.email, /Confirm your email/);
    expect((await request(ctx.app).post('/auth/verify-email').send({ token })).status).toBe(204);
    expect((await me(user.accessToken)).body.emailVerified).toBe(true);
  });

  it('a verification token works once: the second use is 422 invalid-or-expired-token', async () => {
    const user = await registerAndLogin(ctx);
    const token = await tokenFromMail(ctx, user.email, /Confirm your email/);
    await request(ctx.app).post('/auth/verify-email').send({ token }).expect(204);
    const again = await request(ctx.app).post('/auth/verify-email').send({ token });
    expect(again.status).toBe(422);
    expect(again.body.code).toBe('invalid-or-expired-token');
  });

  it('an expired verification token is refused', async () => {
    const user = await registerAndLogin(ctx);
    const token = await tokenFromMail(ctx, user.email, /Confirm your email/);
    await ctx.db.prisma.oneTimeToken.updateMany({
      where: { userId: user.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect((await request(ctx.app).post('/auth/verify-email').send({ token })).status).toBe(422);
  });

  it('resending voids the earlier link; only the newest works', async () => {
    const user = await registerAndLogin(ctx);
    const first = await tokenFromMail(ctx, user.email, /Confirm your email/);
    await request(ctx.app)
      .post('/auth/verify-email/resend')
      .set('Authorization', `Bearer ${user.accessToken}`)
      .expect(202);
    await expect.poll(() => ctx.outbox.messages.filter((m) => m.to === user.email).length).toBe(2);
    const second = await tokenFromMail(ctx, user.email, /Confirm your email/);
    expect(second).not.toBe(first);
    expect((await request(ctx.app).post('/auth/verify-email').send({ token: first })).status).toBe(422);
    expect((await request(ctx.app).post('/auth/verify-email').send({ token: second })).status).toBe(204);
  });

  it('stores only a hash of the token', async () => {
    const user = await registerAndLogin(ctx);
    const token = await tokenFromMail(ctx, user.email, /Confirm your email/);
    const rows = await ctx.db.prisma.oneTimeToken.findMany({ where: { userId: user.id } });
    expect(rows.map((r) => r.tokenHash)).not.toContain(token);
    expect(rows[0]?.tokenHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('with REQUIRE_EMAIL_VERIFICATION, login is 403 email-not-verified until the link is followed', async () => {
    const strict = buildTestApp({ REQUIRE_EMAIL_VERIFICATION: 'true' });
    try {
      const input = {
        email: `strict-${uniqueSuffix()}@example.com`,
        username: `strict_${uniqueSuffix()}`,
        password: 'a long passphrase here',
      };
      await request(strict.app).post('/auth/register').send(input).expect(201);
      const credentials = { email: input.email, password: input.password };
      const denied = await request(strict.app).post('/auth/login').send(credentials);
      expect(denied.status).toBe(403);
      expect(denied.body.code).toBe('email-not-verified');
      const token = await tokenFromMail(strict, input.email, /Confirm your email/);
      await request(strict.app).post('/auth/verify-email').send({ token }).expect(204);
      expect((await request(strict.app).post('/auth/login').send(credentials)).status).toBe(200);
    } finally {
      await strict.close();
    }
  });
});

describe('password reset', () => {
  it('answers a registered and an unknown email identically (202, same body)', async () => {
    const user = await registerAndLogin(ctx);
    const known = await request(ctx.app).post('/auth/forgot-password').send({ email: user.email });
    const unknown = await request(ctx.app)
      .post('/auth/forgot-password')
      .send({ email: `nobody-${uniqueSuffix()}@example.com` });
    expect(known.status).toBe(202);
    expect(unknown.status).toBe(202);
    expect(unknown.body).toEqual(known.body);
  });

  it('the emailed token sets a new password and ends every session', async () => {
    const user = await registerAndLogin(ctx);
    const phone = await login(ctx, user, 'phone');
    await request(ctx.app)
      .post('/auth/forgot-password')
      .send({ email: user.email.toUpperCase() })
      .expect(202);
    const token = await tokenFromMail(ctx, user.email, /Reset your password/);

    const newPassword = 'a brand new passphrase';
    expect(
      (await request(ctx.app).post('/auth/reset-password').send({ token, password: newPassword })).status,
    ).toBe(204);

    expect((await me(user.accessToken)).status).toBe(401);
    expect((await me(phone.accessToken)).status).toBe(401);
    await expectPasswordReplaced(ctx, user, newPassword, phone);
  });

  it('a reset token works once', async () => {
    const user = await registerAndLogin(ctx);
    await request(ctx.app).post('/auth/forgot-password').send({ email: user.email }).expect(202);
    const token = await tokenFromMail(ctx, user.email, /Reset your password/);
    await request(ctx.app)
      .post('/auth/reset-password')
      .send({ token, password: 'first new passphrase' })
      .expect(204);
    const again = await request(ctx.app)
      .post('/auth/reset-password')
      .send({ token, password: 'second new passphrase' });
    expect(again.status).toBe(422);
    expect(again.body.code).toBe('invalid-or-expired-token');
  });

  it('an expired reset token is refused and the password stays', async () => {
    const user = await registerAndLogin(ctx);
    await request(ctx.app).post('/auth/forgot-password').send({ email: user.email }).expect(202);
    const token = await tokenFromMail(ctx, user.email, /Reset your password/);
    await ctx.db.prisma.oneTimeToken.updateMany({
      where: { userId: user.id, purpose: 'reset_password' },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(
      (
        await request(ctx.app)
          .post('/auth/reset-password')
          .send({ token, password: 'a brand new passphrase' })
      ).status,
    ).toBe(422);
    expect(
      (await request(ctx.app).post('/auth/login').send({ email: user.email, password: user.password }))
        .status,
    ).toBe(200);
  });

  it('a common new password is refused and the link stays usable', async () => {
    const user = await registerAndLogin(ctx);
    await request(ctx.app).post('/auth/forgot-password').send({ email: user.email }).expect(202);
    const token = await tokenFromMail(ctx, user.email, /Reset your password/);
    const weak = await request(ctx.app).post('/auth/reset-password').send({ token, password: 'qwertyuiop' });
    expect(weak.status).toBe(422);
    expect(weak.body.code).toBe('weak-password');
    expect(
      (
        await request(ctx.app)
          .post('/auth/reset-password')
          .send({ token, password: 'a brand new passphrase' })
      ).status,
    ).toBe(204);
  });

  it('a verification token cannot be used as a reset token', async () => {
    const user = await registerAndLogin(ctx);
    const token = await tokenFromMail(ctx, user.email, /Confirm your email/);
    expect(
      (
        await request(ctx.app)
          .post('/auth/reset-password')
          .send({ token, password: 'a brand new passphrase' })
      ).status,
    ).toBe(422);
  });

  it('an unknown email sends no mail', async () => {
    const email = `ghost-${uniqueSuffix()}@example.com`;
    await request(ctx.app).post('/auth/forgot-password').send({ email }).expect(202);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(ctx.outbox.latestTo(email)).toBeUndefined();
  });
});

describe('password change and reset links', () => {
  it('when the password is changed, an outstanding reset link stops working (422)', async () => {
    const user = await registerAndLogin(ctx);
    await request(ctx.app).post('/auth/forgot-password').send({ email: user.email }).expect(202);
    const token = await tokenFromMail(ctx, user.email, /Reset your password/);
    await request(ctx.app)
      .post('/users/me/password')
      .set('Authorization', `Bearer ${user.accessToken}`)
      .send({ currentPassword: user.password, newPassword: 'the changed passphrase' })
      .expect(204);
    const reset = await request(ctx.app)
      .post('/auth/reset-password')
      .send({ token, password: 'an attacker passphrase' });
    expect(reset.status).toBe(422);
    expect(reset.body.code).toBe('invalid-or-expired-token');
    await login(ctx, { email: user.email, password: 'the changed passphrase' });
  });
});

describe('mail text', () => {
  /** The JSON body of the curl command that leads the mail. */
  async function leadingCall(email: string, subject: RegExp) {
    const find = () => ctx.outbox.messages.findLast((m) => m.to === email && subject.test(m.subject));
    await expect.poll(() => find()?.text ?? '', { timeout: 10_000 }).toMatch(/curl/);
    const lines = (find()?.text ?? '').split('\n').filter((line) => line.trim() !== '');
    const call = lines.find((line) => line.includes('curl')) ?? '';
    const link = lines.find((line) => line.startsWith('https://app.example.test/')) ?? '';
    return { lines, call, link, body: JSON.parse(/-d '(.*)'$/.exec(call)?.[1] ?? 'null') };
  }

  it('the verification mail leads with a curl POST to PUBLIC_API_URL that verifies the email as it stands', async () => {
    const user = await registerAndLogin(ctx);
    const mail = await leadingCall(user.email, /Confirm your email/);
    expect(mail.lines.indexOf(mail.call)).toBe(2); // after the greeting and the one-line intro
    expect(mail.call).toContain(
      "curl -X POST https://api.example.test/auth/verify-email -H 'content-type: application/json'",
    );
    expect(mail.link).toBe(`https://app.example.test/verify-email?token=${mail.body.token}`);
    expect(mail.lines.join('\n')).toMatch(/front end/);
    expect((await request(ctx.app).post('/auth/verify-email').send(mail.body)).status).toBe(204);
  });

  it('the reset mail leads with a curl POST to /auth/reset-password with the token and a password placeholder', async () => {
    const user = await registerAndLogin(ctx);
    await request(ctx.app).post('/auth/forgot-password').send({ email: user.email }).expect(202);
    const mail = await leadingCall(user.email, /Reset your password/);
    expect(mail.call).toContain('curl -X POST https://api.example.test/auth/reset-password');
    expect(mail.body).toEqual({ token: expect.any(String), password: '<your new password>' });
    expect(mail.link).toBe(`https://app.example.test/reset-password?token=${mail.body.token}`);
    const reset = await request(ctx.app)
      .post('/auth/reset-password')
      .send({ ...mail.body, password: 'my brand new passphrase' });
    expect(reset.status).toBe(204);
  });
});

describe('GET /dev/outbox', () => {
  // The app picks its own mailer from the config (no test outbox passed in), as server.ts does.
  function appWithItsOwnMailer(overrides: Record<string, string>) {
    const config = testConfig(overrides);
    const db = connectDatabase(config.DATABASE_URL, testLogger);
    const keys = loadKeyStore({ privateKeyPem: config.JWT_PRIVATE_KEY });
    return { app: createApp({ config, db, logger: testLogger, keys }), close: () => db.close() };
  }

  it('with DEV_OUTBOX=true, lists the mails newest first', async () => {
    const dev = appWithItsOwnMailer({ NODE_ENV: 'development', DEV_OUTBOX: 'true' });
    try {
      const user = await registerAndLogin(dev);
      await expect
        .poll(async () => (await request(dev.app).get('/dev/outbox')).body.items?.[0]?.to)
        .toBe(user.email);
    } finally {
      await dev.close();
    }
  });

  it('in development without DEV_OUTBOX, does not exist (404): the outbox is opt-in', async () => {
    const dev = appWithItsOwnMailer({ NODE_ENV: 'development' });
    try {
      expect((await request(dev.app).get('/dev/outbox')).status).toBe(404);
      const doc = await request(dev.app).get('/openapi.json');
      expect(Object.keys(doc.body.paths)).not.toContain('/dev/outbox');
    } finally {
      await dev.close();
    }
  });

  it('in production, does not exist (404)', async () => {
    const prod = buildTestApp({ NODE_ENV: 'production' });
    try {
      expect((await request(prod.app).get('/dev/outbox')).status).toBe(404);
      const doc = await request(prod.app).get('/openapi.json');
      expect(Object.keys(doc.body.paths)).not.toContain('/dev/outbox');
    } finally {
      await prod.close();
    }
  });

  it('when DEV_OUTBOX=true comes with NODE_ENV=production, the configuration is refused naming DEV_OUTBOX', () => {
    expect(() =>
      loadConfig(configSchema, {
        cwd: '/nonexistent',
        env: {
          NODE_ENV: 'production',
          DEV_OUTBOX: 'true',
          DATABASE_URL: 'postgres://auth@localhost/auth',
          JWT_PRIVATE_KEY: TEST_PRIVATE_KEY,
          PASSWORD_PEPPER: TEST_PEPPER,
        },
      }),
    ).toThrow(/^Invalid configuration:\n {2}DEV_OUTBOX: must not be true in production: .*reset token/);
  });
});
