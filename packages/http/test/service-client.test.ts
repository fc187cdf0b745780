import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import request from 'supertest';
import { z } from 'zod';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError, createServiceClient, forwardedFrom, type ServiceClient } from '../src/index.ts';
import { buildApp } from './helpers.ts';

const userSchema = z.object({ id: z.string(), name: z.string() });

/**
 * The callee: a real HTTP server whose next answer each test chooses, recording what it received.
 */
function startStandIn() {
  const received: Array<{ method: string; url: string; headers: IncomingHttpHeaders; body: string }> = [];
  let answer: (res: ServerResponse) => void = (res) => res.end();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      answer(res);
    });
  });
  server.keepAliveTimeout = 100;
  return {
    received,
    answerWith(fn: (res: ServerResponse) => void) {
      answer = fn;
    },
    async listen() {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  (res: ServerResponse) =>
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));

let standIn: ReturnType<typeof startStandIn>;
let client: ServiceClient;

beforeAll(async () => {
  standIn = startStandIn();
  client = createServiceClient({ name: 'users', baseUrl: `${await standIn.listen()}/`, timeoutMs: 300 });
});
afterAll(() => standIn.close());
beforeEach(() => {
  standIn.received.length = 0;
});

async function caught(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

describe('createServiceClient: answers', () => {
  it('when the callee answers 200 with a matching body, returns it parsed, and passes on the forwarded headers', async () => {
    standIn.answerWith(json(200, { id: 'u1', name: 'Ada', extra: true }));
    const user = await client.request({
      path: '/users/u1',
      schema: userSchema,
      forwarded: { requestId: 'req-123', authorization: 'Bearer abc', clientIp: '203.0.113.7' },
    });
    expect(user).toEqual({ id: 'u1', name: 'Ada' });
    const [call] = standIn.received;
    expect(call?.url).toBe('/users/u1');
    expect(call?.headers).toMatchObject({
      'x-request-id': 'req-123',
      authorization: 'Bearer abc',
      'x-forwarded-for': '203.0.113.7',
      accept: 'application/json',
    });
  });

  it('when a body is given, sends it as JSON with the method', async () => {
    standIn.answerWith(json(201, { id: 'u2', name: 'Grace' }));
    await client.request({ method: 'POST', path: '/users', schema: userSchema, body: { name: 'Grace' } });
    expect(standIn.received[0]).toMatchObject({
      method: 'POST',
      body: '{"name":"Grace"}',
      headers: { 'content-type': 'application/json' },
    });
  });

  it('when nothing is forwarded, sends no authorization, request id or X-Forwarded-For', async () => {
    standIn.answerWith(json(200, { id: 'u1', name: 'Ada' }));
    await client.request({ path: '/users/u1', schema: userSchema });
    const headers = standIn.received[0]?.headers ?? {};
    expect(headers.authorization).toBeUndefined();
    expect(headers['x-request-id']).toBeUndefined();
    expect(headers['x-forwarded-for']).toBeUndefined();
  });
});

describe('createServiceClient: the callee refuses (4xx)', () => {
  it("when the callee answers a 4xx problem, throws it as this service's own: status, type, code, detail, errors kept", async () => {
    standIn.answerWith(
      json(
        422,
        {
          type: 'https://mini-backends.dev/problems/weak-password',
          title: 'Validation failed',
          status: 422,
          detail: 'Choose a longer password.',
          code: 'weak-password',
          requestId: 'theirs',
          errors: { password: ['Too short'] },
        },
        { 'content-type': 'application/problem+json' },
      ),
    );
    const error = await caught(client.request({ path: '/users', schema: userSchema }));
    expect(error).toMatchObject({
      status: 422,
      type: 'https://mini-backends.dev/problems/weak-password',
      code: 'weak-password',
      title: 'Validation failed',
      detail: 'Choose a longer password.',
      errors: { password: ['Too short'] },
    });
  });

  it('when the callee answers 429 or 401, its Retry-After and WWW-Authenticate come along', async () => {
    standIn.answerWith(
      json(429, { code: 'too-many-requests', title: 'Too many requests' }, { 'retry-after': '7' }),
    );
    expect((await caught(client.request({ path: '/x', schema: userSchema }))).headers).toEqual({
      'Retry-After': '7',
    });
    standIn.answerWith(json(401, { code: 'unauthorized' }, { 'www-authenticate': 'Bearer realm="x"' }));
    const unauthorized = await caught(client.request({ path: '/x', schema: userSchema }));
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers).toEqual({ 'WWW-Authenticate': 'Bearer realm="x"' });
  });

  it('when a 4xx body is not a problem, keeps the status with a generic title', async () => {
    standIn.answerWith((res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>no</h1>'));
    const error = await caught(client.request({ path: '/x', schema: userSchema }));
    expect(error).toMatchObject({ status: 404, code: 'http-404', title: 'Request failed with status 404' });
  });

  it('a surfaced 4xx is sent by the error handler as the same problem, under our own request id', async () => {
    standIn.answerWith(
      json(404, {
        type: 'https://mini-backends.dev/problems/user-not-found',
        title: 'Not found',
        status: 404,
        detail: 'No user has this username.',
        code: 'user-not-found',
        requestId: 'theirs',
      }),
    );
    const { app } = buildApp((a) =>
      a.get('/proxy', async (req) => {
        await client.request({ path: '/x', schema: userSchema, forwarded: forwardedFrom(req) });
      }),
    );
    const res = await request(app).get('/proxy').set('X-Request-Id', 'ours-1');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      type: 'https://mini-backends.dev/problems/user-not-found',
      title: 'Not found',
      status: 404,
      detail: 'No user has this username.',
      code: 'user-not-found',
      requestId: 'ours-1',
    });
    expect(standIn.received[0]?.headers['x-request-id']).toBe('ours-1');
  });
});

describe('createServiceClient: the callee cannot answer (503 dependency-unavailable)', () => {
  const expectUnavailable = (error: AppError) => {
    expect(error.status).toBe(503);
    expect(error.code).toBe('dependency-unavailable');
    expect(error.headers).toEqual({ 'Retry-After': '5' });
    expect(error.detail).toBe('The users service is not reachable; try again later.');
  };

  it('when the callee answers 5xx, throws 503 (not the 5xx, whose body is theirs)', async () => {
    standIn.answerWith(json(500, { code: 'internal-error', detail: 'their internals' }));
    expectUnavailable(await caught(client.request({ path: '/x', schema: userSchema })));
  });

  it('when the 200 body does not match the schema, or is not JSON, throws 503', async () => {
    standIn.answerWith(json(200, { id: 42 }));
    expectUnavailable(await caught(client.request({ path: '/x', schema: userSchema })));
    standIn.answerWith((res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":'));
    expectUnavailable(await caught(client.request({ path: '/x', schema: userSchema })));
  });

  it('when the callee sends its headers and then stalls the body, gives up at the timeout with 503', async () => {
    standIn.answerWith((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"id":');
    });
    const started = performance.now();
    expectUnavailable(await caught(client.request({ path: '/x', schema: userSchema })));
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('when nothing listens, throws 503 at once', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const down = createServiceClient({
      name: 'users',
      baseUrl: `http://127.0.0.1:${port}`,
      timeoutMs: 5_000,
    });
    const started = performance.now();
    expectUnavailable(await caught(down.request({ path: '/x', schema: userSchema })));
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('when the callee accepts the connection and never answers, throws 503 at the timeout', async () => {
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    try {
      const port = (silent.address() as AddressInfo).port;
      const slow = createServiceClient({
        name: 'users',
        baseUrl: `http://127.0.0.1:${port}`,
        timeoutMs: 200,
      });
      const started = performance.now();
      expectUnavailable(await caught(slow.request({ path: '/x', schema: userSchema })));
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(150);
      expect(elapsed).toBeLessThan(2_000);
    } finally {
      silent.close();
    }
  });

  it('the 503 reaches the client as problem+json with Retry-After, and no internals', async () => {
    standIn.answerWith(json(500, { detail: 'secret stack at /srv/users.js:12' }));
    const { app } = buildApp((a) =>
      a.get('/proxy', async () => {
        await client.request({ path: '/x', schema: userSchema });
      }),
    );
    const res = await request(app).get('/proxy');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body.code).toBe('dependency-unavailable');
    expect(JSON.stringify(res.body)).not.toMatch(/secret|127\.0\.0\.1/);
  });
});

describe('forwardedFrom', () => {
  it("takes the request id, the Authorization header, and the client address as this service's TRUST_PROXY sees it", async () => {
    let seen: unknown;
    const { app } = buildApp(
      (a) =>
        a.get('/who', (req, res) => {
          seen = forwardedFrom(req);
          res.end();
        }),
      // One proxy in front: the left-most entry is the client's own claim and must not be passed on.
      { config: { NODE_ENV: 'test', CORS_ORIGINS: [], BODY_LIMIT: '1kb', TRUST_PROXY: 1 } },
    );
    await request(app)
      .get('/who')
      .set('X-Request-Id', 'req-9')
      .set('Authorization', 'Bearer t')
      .set('X-Forwarded-For', '198.51.100.66, 203.0.113.7');
    expect(seen).toEqual({ requestId: 'req-9', authorization: 'Bearer t', clientIp: '203.0.113.7' });
  });

  it('without a trusted proxy, the address is the connection peer, whatever X-Forwarded-For says', async () => {
    let seen: { clientIp?: string | undefined } = {};
    const { app } = buildApp((a) =>
      a.get('/who', (req, res) => {
        seen = forwardedFrom(req);
        res.end();
      }),
    );
    await request(app).get('/who').set('X-Forwarded-For', '198.51.100.66');
    expect(seen.clientIp).toMatch(/127\.0\.0\.1$/);
  });
});
