import { once } from 'node:events';
import { connect } from 'node:net';
import { createLogger } from '@mini/logger';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceApp, startServer, type RunningServer } from '../src/index.ts';
import { buildApp } from './helpers.ts';

/** Sends `head` on a raw connection; resolves with everything the server wrote before it closed. */
async function rawExchange(port: number, head: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (received += chunk));
  // The server may reset the connection right after its answer: what it wrote is what counts.
  socket.on('error', () => {});
  socket.write(head);
  await new Promise((resolve) => socket.once('close', resolve));
  return received;
}

/**
 * Refused: a 4xx, or the connection closed with no answer at all. (Node answers 431 and closes at once; a
 * client still sending then gets a reset, which can discard the 431 before the client has read it.)
 */
function refused(answer: string): boolean {
  return answer === '' || /^HTTP\/1\.1 4\d\d /.test(answer);
}

describe('request target limits', () => {
  it('when the URL is longer than HTTP_MAX_URL_LENGTH, returns 414 uri-too-long', async () => {
    const { app } = buildApp((a) => a.get('/items', (_req, res) => res.json({ ok: true })));
    const res = await request(app).get(`/items?q=${'x'.repeat(8200)}`);
    expect(res.status).toBe(414);
    expect(res.body).toMatchObject({ status: 414, code: 'uri-too-long' });
  });

  it('when the URL is within HTTP_MAX_URL_LENGTH, serves it', async () => {
    const { app } = buildApp((a) =>
      a.get('/items', (req, res) => res.json({ length: String(req.query.q).length })),
    );
    const res = await request(app).get(`/items?q=${'x'.repeat(8000)}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ length: 8000 });
  });

  it('when a request carries more than HTTP_MAX_QUERY_PARAMS query parameters, returns 400 too-many-query-parameters', async () => {
    const { app } = buildApp((a) => a.get('/items', (req, res) => res.json(req.query)));
    const query = Array.from({ length: 101 }, (_, i) => `p${i}=1`).join('&');
    const res = await request(app).get(`/items?${query}`);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 400, code: 'too-many-query-parameters' });
  });

  it('when the limits are configured, applies them instead of the defaults', async () => {
    const { app } = buildApp((a) => a.get('/items', (req, res) => res.json(req.query)), {
      config: {
        NODE_ENV: 'test',
        CORS_ORIGINS: [],
        BODY_LIMIT: '1kb',
        TRUST_PROXY: false,
        HTTP_MAX_URL_LENGTH: 20,
        HTTP_MAX_QUERY_PARAMS: 2,
      },
    });
    expect((await request(app).get('/items?a=1&b=2')).status).toBe(200);
    expect((await request(app).get('/items?a=1&b=2&c=3')).body.code).toBe('too-many-query-parameters');
    expect((await request(app).get(`/items?a=${'x'.repeat(20)}`)).status).toBe(414);
  });
});

describe('limits of the listening server', () => {
  const logger = createLogger({ name: 'test', level: 'silent', pretty: false });
  let running: RunningServer;
  beforeAll(async () => {
    const app = createServiceApp({
      name: 't',
      config: { NODE_ENV: 'test', CORS_ORIGINS: [], BODY_LIMIT: '100kb', TRUST_PROXY: false },
      logger,
      routes: (a) => {
        a.get('/items', (_req, res) => res.json({ ok: true }));
        a.post('/items', (req, res) => res.json(req.body));
      },
    });
    running = await startServer(app, {
      port: 0,
      host: '127.0.0.1',
      logger,
      shutdownTimeoutMs: 1000,
      handleSignals: false,
    });
  });
  afterAll(() => running.close());

  it('when a body declared as 10 MB arrives, answers 413 before the body is sent', async () => {
    const socket = connect(running.port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    const answered = once(socket, 'data');
    // Only the head and the first bytes: an answer that waited for the 10 MB would never come.
    socket.write(
      'POST /items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        `Content-Length: ${10 * 1024 * 1024}\r\n\r\n{"text":"`,
    );
    await answered;
    socket.destroy();
    expect(received).toMatch(/^HTTP\/1\.1 413 /);
    expect(received).toContain('"code":"payload-too-large"');
  });

  it('when a header is 64 KB, refuses it (431) and closes the connection', async () => {
    const answer = await rawExchange(
      running.port,
      `GET /items HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`,
    );
    expect(refused(answer)).toBe(true);
  });

  it('when the URL is 100 KB, refuses it (431) and closes the connection', async () => {
    const answer = await rawExchange(
      running.port,
      `GET /items?q=${'a'.repeat(100 * 1024)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    );
    expect(refused(answer)).toBe(true);
  });

  it('when a request carries 10 000 query parameters, refuses it', async () => {
    const query = Array.from({ length: 10_000 }, () => 'a=1').join('&');
    const answer = await rawExchange(
      running.port,
      `GET /items?${query} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    );
    expect(refused(answer)).toBe(true);
  });

  it('when a request is within every limit, serves it on the same server', async () => {
    const answer = await rawExchange(
      running.port,
      'GET /items?a=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('when HTTP_MAX_HEADER_SIZE is raised, a 64 KB header is served', async () => {
    const app = createServiceApp({
      name: 't',
      config: { NODE_ENV: 'test', CORS_ORIGINS: [], BODY_LIMIT: '1kb', TRUST_PROXY: false },
      logger,
      routes: (a) => a.get('/items', (req, res) => res.json({ length: req.get('x-big')?.length })),
    });
    const roomy = await startServer(app, {
      port: 0,
      host: '127.0.0.1',
      logger,
      shutdownTimeoutMs: 1000,
      handleSignals: false,
      limits: { HTTP_MAX_HEADER_SIZE: 128 * 1024 },
    });
    try {
      const answer = await rawExchange(
        roomy.port,
        `GET /items HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`,
      );
      expect(answer).toMatch(/^HTTP\/1\.1 200 /);
      expect(answer).toContain(`"length":${64 * 1024}`);
    } finally {
      await roomy.close();
    }
  });
});
