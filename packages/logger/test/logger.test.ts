import { Writable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, getRequestContext, runWithContext, setContextUserId } from '../src/index.ts';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger({ name: 'test', level: 'debug', pretty: false, destination: stream });
  const records = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, records };
}

describe('createLogger', () => {
  it('writes one JSON object per line with name, level, time and msg', () => {
    const { logger, lines } = capture();
    logger.info({ orderId: 7 }, 'order placed');
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    expect(record).toMatchObject({ name: 'test', level: 30, msg: 'order placed', orderId: 7 });
    expect(typeof record.time).toBe('string');
  });

  it('when a line is logged inside runWithContext after async hops, it carries the requestId', async () => {
    const { logger, records } = capture();
    await runWithContext({ requestId: 'req-1' }, async () => {
      await delay(1);
      await Promise.resolve().then(() => logger.info('deep inside'));
    });
    logger.info('outside');
    expect(records()[0]).toMatchObject({ msg: 'deep inside', requestId: 'req-1' });
    expect(records()[1]).not.toHaveProperty('requestId');
  });

  it('when setContextUserId is called, later lines of that request carry the userId', () => {
    const { logger, records } = capture();
    runWithContext({ requestId: 'req-2' }, () => {
      logger.info('before');
      setContextUserId('user-9');
      logger.info('after');
      expect(getRequestContext()).toEqual({ requestId: 'req-2', userId: 'user-9' });
    });
    expect(records()[0]).not.toHaveProperty('userId');
    expect(records()[1]).toMatchObject({ requestId: 'req-2', userId: 'user-9' });
  });

  it('when concurrent requests interleave, each line carries its own requestId', async () => {
    const { logger, records } = capture();
    await Promise.all(
      ['a', 'b'].map((id) =>
        runWithContext({ requestId: id }, async () => {
          await delay(id === 'a' ? 5 : 1);
          logger.info(id);
        }),
      ),
    );
    for (const record of records()) expect(record.requestId).toBe(record.msg);
  });

  it('redacts the authorization header, cookies and set-cookie', () => {
    const { logger, lines, records } = capture();
    logger.info(
      {
        req: { headers: { authorization: 'Bearer abc.def.ghi', cookie: 'sid=1', accept: 'json' } },
        res: { headers: { 'set-cookie': 'sid=2' } },
      },
      'request',
    );
    expect(records()[0]).toMatchObject({
      req: { headers: { authorization: '[redacted]', cookie: '[redacted]', accept: 'json' } },
      res: { headers: { 'set-cookie': '[redacted]' } },
    });
    expect(lines[0]).not.toContain('abc.def.ghi');
  });

  it('redacts password and token fields at the top level and nested up to three levels', () => {
    const { logger, lines, records } = capture();
    logger.info(
      {
        password: 'p0',
        body: { password: 'p1', refreshToken: 'r1', email: 'a@b.c' },
        req: { body: { newPassword: 'p2', currentPassword: 'p3' } },
        a: { b: { c: { accessToken: 't4' } } },
      },
      'secrets',
    );
    expect(records()[0]).toMatchObject({
      password: '[redacted]',
      body: { password: '[redacted]', refreshToken: '[redacted]', email: 'a@b.c' },
      req: { body: { newPassword: '[redacted]', currentPassword: '[redacted]' } },
      a: { b: { c: { accessToken: '[redacted]' } } },
    });
    for (const secret of ['p0', 'p1', 'r1', 'p2', 'p3', 't4']) expect(lines[0]).not.toContain(`"${secret}"`);
  });
});

describe('default output format', () => {
  const isTTY = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY');
  afterEach(() => {
    vi.unstubAllEnvs();
    if (isTTY) Object.defineProperty(process.stdout, 'isTTY', isTTY);
    else delete (process.stdout as { isTTY?: boolean }).isTTY;
  });

  // What a service started by hand on a terminal prints, by NODE_ENV.
  async function firstLineOnTerminal(nodeEnv: string | undefined): Promise<string> {
    vi.stubEnv('NODE_ENV', nodeEnv);
    Object.defineProperty(process.stdout, 'isTTY', { value: true, configurable: true, writable: true });
    const chunks: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString('utf8'));
        done();
      },
    });
    createLogger({ name: 'test', destination }).info('hello');
    await vi.waitFor(() => expect(chunks.join('')).toContain('hello'));
    return chunks.join('').split('\n')[0] ?? '';
  }

  it('when NODE_ENV is not set, a terminal gets JSON lines, as in production', async () => {
    expect(JSON.parse(await firstLineOnTerminal(undefined))).toMatchObject({ msg: 'hello' });
  });

  it('when NODE_ENV is development, a terminal gets human-readable lines', async () => {
    const line = await firstLineOnTerminal('development');
    expect(() => JSON.parse(line) as unknown).toThrow();
    expect(line).toContain('INFO');
  });
});
