import { afterAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { captureLogs } from '@mini/testing';
import { createApp } from '../src/app.ts';
import { connectDatabase } from '../src/db.ts';
import { loadKeyStore } from '../src/keys/key-store.ts';
import { hashOpaqueToken } from '../src/security/opaque-tokens.ts';
import { newUserInput, testConfig } from './helpers.ts';

// Production, and no SMTP_URL: the app picks its own mailer (no test outbox is passed in).
const config = testConfig({ NODE_ENV: 'production' });
const logs = captureLogs('info');
const db = connectDatabase(config.DATABASE_URL, logs.logger);
const app = createApp({
  config,
  db,
  logger: logs.logger,
  keys: loadKeyStore({ privateKeyPem: config.JWT_PRIVATE_KEY }),
});
afterAll(() => db.close());

async function waitFor<T>(find: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('mail in production without SMTP_URL', () => {
  it('warns once at start-up that mails are not sent', () => {
    const warnings = logs.entries().filter((entry) => String(entry.msg).includes('SMTP_URL is not set'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.level).toBe(40);
  });

  it('a reset mail is logged with its recipient and subject, never its body or token', async () => {
    const input = newUserInput();
    expect((await request(app).post('/auth/register').send(input)).status).toBe(201);
    expect((await request(app).post('/auth/forgot-password').send({ email: input.email })).status).toBe(202);

    const line = await waitFor(() =>
      logs
        .entries()
        .find(
          (entry) =>
            (entry.mail as { to?: string; subject?: string } | undefined)?.to === input.email &&
            (entry.mail as { subject?: string }).subject === 'Reset your password',
        ),
    );
    expect(line.mail).toEqual({ to: input.email, subject: 'Reset your password' });

    // No string in the whole log is the reset (or verification) token: none hashes to a stored token.
    const user = await db.prisma.user.findUniqueOrThrow({ where: { emailLower: input.email.toLowerCase() } });
    const stored = new Set(
      (await db.prisma.oneTimeToken.findMany({ where: { userId: user.id } })).map((t) => t.tokenHash),
    );
    expect(stored.size).toBe(2);
    const candidates = logs.text().match(/[A-Za-z0-9_-]{43}/g) ?? [];
    expect(candidates.filter((candidate) => stored.has(hashOpaqueToken(candidate)))).toEqual([]);
    expect(logs.text()).not.toContain('token=');
  });

  it('GET /dev/outbox does not exist (404)', async () => {
    expect((await request(app).get('/dev/outbox')).status).toBe(404);
  });
});
