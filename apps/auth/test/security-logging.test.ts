import { afterAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { captureLogs, uniqueSuffix } from '@mini/testing';
import { configSchema } from '../src/config.ts';
import { hashCost } from '../src/passwords/password-hasher.ts';
import { buildTestApp, login, newUserInput, registerAndLogin } from './helpers.ts';

// Everything the app logs, at every level, is kept (the dev outbox, which exists to show mail bodies in
// development, logs elsewhere).
const logs = captureLogs('debug');
// Mail limit per email raised: the registration race below sends 8 requests for one email.
const ctx = buildTestApp({ TRUST_PROXY: '1', MAIL_LIMIT_PER_EMAIL: '100' }, { logger: logs.logger });
afterAll(() => ctx.close());

async function resetTokenFor(email: string): Promise<string> {
  const find = () =>
    ctx.outbox.messages.findLast((m) => m.to === email && /Reset your password/.test(m.subject));
  await expect.poll(() => find()?.text ?? '', { timeout: 10_000 }).toMatch(/token=/);
  return /token=([\w-]+)/.exec(find()?.text ?? '')?.[1] ?? '';
}

describe('security log', () => {
  it('when a spent refresh token is presented again, a refresh-token-reuse security event is logged', async () => {
    const user = await registerAndLogin(ctx);
    await request(ctx.app).post('/auth/refresh').send({ refreshToken: user.refreshToken }).expect(200);
    await request(ctx.app).post('/auth/refresh').send({ refreshToken: user.refreshToken }).expect(401);
    const event = logs
      .entries()
      .find((e) => e.securityEvent === 'refresh-token-reuse' && e.userId === user.id);
    expect(event).toMatchObject({ level: 40, sessionId: expect.any(String) });
    expect(JSON.stringify(event)).not.toContain(user.refreshToken);
  });

  it('register, login, refresh, forgot/reset and password change log no password, hash, refresh or reset token', async () => {
    const user = await registerAndLogin(ctx);
    const refreshed = await request(ctx.app).post('/auth/refresh').send({ refreshToken: user.refreshToken });
    expect(refreshed.status).toBe(200);
    await request(ctx.app).post('/auth/forgot-password').send({ email: user.email }).expect(202);
    const resetToken = await resetTokenFor(user.email);
    const resetPassword = `reset passphrase ${uniqueSuffix()}`;
    await request(ctx.app)
      .post('/auth/reset-password')
      .send({ token: resetToken, password: resetPassword })
      .expect(204);
    const again = await login(ctx, { email: user.email, password: resetPassword });
    const changedPassword = `changed passphrase ${uniqueSuffix()}`;
    await request(ctx.app)
      .post('/users/me/password')
      .set('Authorization', `Bearer ${again.accessToken}`)
      .send({ currentPassword: resetPassword, newPassword: changedPassword })
      .expect(204);
    // A failed login too: its password must not be logged either.
    await request(ctx.app)
      .post('/auth/login')
      .set('X-Forwarded-For', `10.9.${Math.floor(Math.random() * 250)}.1`)
      .send({ email: user.email, password: 'a wrong guess here' })
      .expect(401);

    const text = logs.text();
    expect(text.length).toBeGreaterThan(0);
    expect(text).toContain('request completed');
    expect(text).not.toMatch(/\$2[aby]\$/);
    for (const secret of [
      user.password,
      resetPassword,
      changedPassword,
      'a wrong guess here',
      user.refreshToken,
      refreshed.body.refreshToken,
      again.refreshToken,
      resetToken,
    ]) {
      expect(text).not.toContain(secret);
    }
  });
});

describe('password hashing cost', () => {
  it('BCRYPT_COST defaults to 12', () => {
    const config = configSchema.parse({ NODE_ENV: 'test', DATABASE_URL: 'postgres://x@localhost/x' });
    expect(config.BCRYPT_COST).toBe(12);
  });

  it('when a stored hash has another cost than BCRYPT_COST, a successful login rehashes it at the configured cost', async () => {
    const user = await registerAndLogin(ctx); // cost 4, the tests' cost
    const stored = () => ctx.db.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(hashCost((await stored()).passwordHash)).toBe(4);
    const costlier = buildTestApp({ BCRYPT_COST: '5' });
    try {
      await login(costlier, user);
      expect(hashCost((await stored()).passwordHash)).toBe(5);
      // And the new hash still accepts the password.
      await login(costlier, user);
    } finally {
      await costlier.close();
    }
  });
});

describe('concurrent registrations', () => {
  it('when 8 registrations with the same email race, exactly one is 201 and the others 409 email-taken', async () => {
    const email = `race-${uniqueSuffix()}@example.com`;
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => request(ctx.app).post('/auth/register').send(newUserInput({ email }))),
    );
    const statuses = answers.map((res) => res.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    for (const res of answers.filter((r) => r.status === 409)) expect(res.body.code).toBe('email-taken');
  });
});
