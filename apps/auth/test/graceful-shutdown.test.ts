import { startServer } from '@mini/http';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { connectDatabase } from '../src/db.ts';
import { loadKeyStore } from '../src/keys/key-store.ts';
import type { Mail, Mailer } from '../src/mail/mailer.ts';
import { newUserInput, testConfig, testLogger } from './helpers.ts';

/** A mailer that holds mails with `subject` until release() is called: a slow mail server. */
function heldMailer(subject: string, events: string[]) {
  const started = Promise.withResolvers<void>();
  const released = Promise.withResolvers<void>();
  const mailer: Mailer = {
    async send(mail: Mail) {
      if (mail.subject === subject) {
        started.resolve();
        await released.promise;
      }
      events.push(`mail sent: ${mail.subject}`);
    },
  };
  return { mailer, started: started.promise, release: () => released.resolve() };
}

/** The auth service listening on an ephemeral port; onShutdown closes its pool, as server.ts does. */
async function serve(mailer: Mailer, events: string[]) {
  const config = testConfig();
  const db = connectDatabase(config.DATABASE_URL, testLogger);
  const app = createApp({
    config,
    db,
    logger: testLogger,
    keys: loadKeyStore({ privateKeyPem: config.JWT_PRIVATE_KEY }),
    mailer,
  });
  return startServer(app, {
    port: 0,
    host: '127.0.0.1',
    logger: testLogger,
    shutdownTimeoutMs: 10_000,
    // fetch keeps its connection open: no need to give it a second for one more request.
    limits: { SHUTDOWN_IDLE_GRACE_MS: 50 },
    handleSignals: false,
    onShutdown: async () => {
      events.push('pool closed');
      await db.close();
    },
  });
}

async function post(port: number, path: string, body: object): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}

describe('graceful shutdown and mails sent after the answer', () => {
  it.each([
    {
      route: 'POST /auth/register',
      subject: 'Confirm your email address',
      send: (port: number, user: ReturnType<typeof newUserInput>) => post(port, '/auth/register', user),
      expected: 201,
    },
    {
      route: 'POST /auth/forgot-password',
      subject: 'Reset your password',
      send: async (port: number, user: ReturnType<typeof newUserInput>) => {
        expect(await post(port, '/auth/register', user)).toBe(201);
        return post(port, '/auth/forgot-password', { email: user.email });
      },
      expected: 202,
    },
  ])(
    'when shutdown starts while the mail of $route is still being sent, the pool is closed only after it is out',
    async ({ subject, send, expected }) => {
      const events: string[] = [];
      const held = heldMailer(subject, events);
      const running = await serve(held.mailer, events);
      const user = newUserInput();
      try {
        expect(await send(running.port, user)).toBe(expected);
        await held.started;

        const closing = running.close();
        // The mail goes out only once the server has closed: untracked, it would find the pool closed.
        running.server.once('close', held.release);
        await closing;
        expect(events.slice(-2)).toEqual([`mail sent: ${subject}`, 'pool closed']);
      } finally {
        held.release();
        await running.close();
      }
    },
  );
});
