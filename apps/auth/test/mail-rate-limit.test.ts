import { afterAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { uniqueSuffix } from '@mini/testing';
import { buildTestApp, newUserInput } from './helpers.ts';

// The production limits, and every request from its own client IP (X-Forwarded-For, TRUST_PROXY): other
// test files share 127.0.0.1.
const ctx = buildTestApp({
  TRUST_PROXY: '1',
  MAIL_LIMIT_PER_EMAIL: '5',
  MAIL_LIMIT_PER_IP: '20',
});
afterAll(() => ctx.close());

const randomIp = () =>
  `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250) + 1}`;

const forgot = (email: string, ip = randomIp()) =>
  request(ctx.app).post('/auth/forgot-password').set('X-Forwarded-For', ip).send({ email });

async function register(ip = randomIp()) {
  const input = newUserInput();
  const res = await request(ctx.app).post('/auth/register').set('X-Forwarded-For', ip).send(input);
  expect(res.status).toBe(201);
  const login = await request(ctx.app)
    .post('/auth/login')
    .set('X-Forwarded-For', ip)
    .send({ email: input.email, password: input.password });
  expect(login.status).toBe(200);
  return { ...input, accessToken: login.body.accessToken as string };
}

describe('mail-sending rate limits', () => {
  it('forgot-password: the 6th request for one email in the window is 429 with Retry-After, from any IP', async () => {
    const email = `nobody-${uniqueSuffix()}@example.com`;
    for (let i = 0; i < 5; i++) expect((await forgot(email)).status).toBe(202);
    const limited = await forgot(email);
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('too-many-mail-requests');
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(900);
  });

  it('forgot-password: a registered and an unknown email hit the limit identically (nothing revealed)', async () => {
    const user = await register();
    const unknown = `nobody-${uniqueSuffix()}@example.com`;
    // The registration's verification mail counted once for the registered email.
    for (let i = 0; i < 4; i++) await forgot(user.email);
    for (let i = 0; i < 4; i++) await forgot(unknown);
    const [known5, unknown5] = [await forgot(user.email), await forgot(unknown)];
    expect(known5.status).toBe(429);
    expect(unknown5.status).toBe(202);
    const unknown6 = await forgot(unknown);
    expect(unknown6.status).toBe(429);
    expect({ ...known5.body, requestId: undefined }).toEqual({ ...unknown6.body, requestId: undefined });
  });

  it('forgot-password: one IP asking for 21 different emails gets 429 on the 21st; another IP is unaffected', async () => {
    const ip = randomIp();
    for (let i = 0; i < 20; i++) {
      expect((await forgot(`spray-${uniqueSuffix()}@example.com`, ip)).status).toBe(202);
    }
    expect((await forgot(`spray-${uniqueSuffix()}@example.com`, ip)).status).toBe(429);
    expect((await forgot(`spray-${uniqueSuffix()}@example.com`)).status).toBe(202);
  });

  it('forgot-password behind one trusted proxy: rotating X-Forwarded-For still counts as one IP (429 on the 21st)', async () => {
    // The proxy appends the address it saw; the entries before it are whatever the client wrote.
    const seenByProxy = randomIp();
    const spoofed = (i: number) => `203.0.113.${i + 1}, ${seenByProxy}`;
    for (let i = 0; i < 20; i++) {
      expect((await forgot(`spray-${uniqueSuffix()}@example.com`, spoofed(i))).status).toBe(202);
    }
    const over = await forgot(`spray-${uniqueSuffix()}@example.com`, spoofed(20));
    expect(over.status).toBe(429);
    expect(over.body.code).toBe('too-many-mail-requests');
  });

  it('verify-email/resend: after the registration mail and 4 resends, the next resend is 429', async () => {
    const user = await register();
    const resend = () =>
      request(ctx.app)
        .post('/auth/verify-email/resend')
        .set('X-Forwarded-For', randomIp())
        .set('Authorization', `Bearer ${user.accessToken}`);
    for (let i = 0; i < 4; i++) expect((await resend()).status).toBe(202);
    const limited = await resend();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('register: one IP registering 21 accounts gets 429 on the 21st', async () => {
    const ip = randomIp();
    for (let i = 0; i < 20; i++) {
      expect(
        (await request(ctx.app).post('/auth/register').set('X-Forwarded-For', ip).send(newUserInput()))
          .status,
      ).toBe(201);
    }
    const limited = await request(ctx.app)
      .post('/auth/register')
      .set('X-Forwarded-For', ip)
      .send(newUserInput());
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('too-many-mail-requests');
  });
});
