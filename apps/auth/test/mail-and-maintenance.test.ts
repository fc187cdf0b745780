import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createSmtpMailer } from '../src/mail/mailer.ts';
import { createPasswordHasher } from '../src/passwords/password-hasher.ts';
import { passwordProblems } from '../src/passwords/password-policy.ts';
import { createSessionsRepository } from '../src/sessions/sessions.repository.ts';
import { TEST_HASHING, buildTestApp, registerAndLogin } from './helpers.ts';

const ctx = buildTestApp();
afterAll(() => ctx.close());

/** The smallest SMTP server nodemailer will talk to: records each message's envelope and data. */
function fakeSmtpServer() {
  const received: Array<{ from: string; to: string[]; data: string }> = [];
  const server = net.createServer((socket) => {
    let buffer = '';
    let inData = false;
    let current = { from: '', to: [] as string[], data: '' };
    socket.write('220 fake ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let index: number;
      while ((index = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, index);
        buffer = buffer.slice(index + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            received.push(current);
            current = { from: '', to: [], data: '' };
            socket.write('250 OK queued\r\n');
          } else current.data += `${line}\n`;
          continue;
        }
        const command = line.slice(0, 4).toUpperCase();
        if (command === 'MAIL') current.from = line;
        if (command === 'RCPT') current.to.push(line);
        if (command === 'DATA') {
          inData = true;
          socket.write('354 go ahead\r\n');
        } else if (command === 'QUIT') {
          socket.end('221 bye\r\n');
        } else {
          socket.write('250 OK\r\n');
        }
      }
    });
    socket.on('error', () => {});
  });
  return {
    received,
    listen: () =>
      new Promise<number>((resolve) =>
        server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)),
      ),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('SMTP mailer', () => {
  it('when SMTP_URL is configured, delivers the mail to that server with MAIL_FROM as sender', async () => {
    const smtp = fakeSmtpServer();
    const port = await smtp.listen();
    try {
      const mailer = createSmtpMailer(`smtp://127.0.0.1:${port}`, 'Mini Backends <no-reply@example.com>');
      await mailer.send({ to: 'ada@example.com', subject: 'Reset your password', text: 'token=abc' });
      expect(smtp.received).toHaveLength(1);
      expect(smtp.received[0]?.from).toMatch(/no-reply@example\.com/);
      expect(smtp.received[0]?.to[0]).toMatch(/ada@example\.com/);
      expect(smtp.received[0]?.data).toMatch(/Subject: Reset your password/);
      expect(smtp.received[0]?.data).toMatch(/token=abc/);
    } finally {
      await smtp.close();
    }
  });
});

describe('session purge', () => {
  it('deletes sessions (and their refresh tokens) that ended before the cut-off, and keeps live ones', async () => {
    const user = await registerAndLogin(ctx);
    const live = await registerAndLogin(ctx);
    const sessions = createSessionsRepository(ctx.db.prisma);
    await ctx.db.prisma.session.updateMany({
      where: { userId: user.id },
      data: { revokedAt: new Date(Date.now() - 10 * 24 * 3600_000), revokeReason: 'logout' },
    });
    await sessions.purgeEndedBefore(new Date(Date.now() - 7 * 24 * 3600_000));
    expect(await ctx.db.prisma.session.count({ where: { userId: user.id } })).toBe(0);
    expect(await ctx.db.prisma.refreshToken.count({ where: { session: { userId: user.id } } })).toBe(0);
    expect(await ctx.db.prisma.session.count({ where: { userId: live.id } })).toBe(1);
  });
});

describe('password rules (unit)', () => {
  it('refuses the email address, its local part or the username as the password', () => {
    expect(passwordProblems('ada.lovelace@example.com', { email: 'ada.lovelace@example.com' })).toHaveLength(
      1,
    );
    expect(passwordProblems('Ada.Lovelace', { email: 'ada.lovelace@example.com' })).toHaveLength(1);
    expect(passwordProblems('lovelace_1815', { username: 'Lovelace_1815' })).toHaveLength(1);
    expect(
      passwordProblems('an unrelated passphrase', { email: 'ada@example.com', username: 'ada' }),
    ).toEqual([]);
  });

  it('counts characters, not UTF-16 units: 8 emoji are 8 characters', () => {
    expect(passwordProblems('🔑🔒🚪🏠🌳🌊🔥🌙')).toEqual([]);
    expect(passwordProblems('🔑🔒🚪🏠🌳🌊🔥')[0]).toMatch(/at least 8/);
  });

  it('treats the composed and decomposed spellings of an accented password as the same password', async () => {
    const hasher = createPasswordHasher(TEST_HASHING);
    const composed = 'caf\u00e9 au lait s\u00fbr';
    const decomposed = 'cafe\u0301 au lait su\u0302r';
    expect(composed).not.toBe(decomposed);
    expect(await hasher.verify(decomposed, await hasher.hash(composed))).toBe(true);
  });
});
