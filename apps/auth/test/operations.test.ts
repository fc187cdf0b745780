import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { inject } from 'vitest';
import { startTcpProxy } from '@mini/testing';
import { buildTestApp, registerAndLogin } from './helpers.ts';

// A TCP proxy in front of the test database: closing it makes the database unreachable for the app
// while Postgres itself keeps running for every other test.
function startProxy(target: { host: string; port: number }) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  return {
    listen: (port = 0) =>
      new Promise<number>((resolve) =>
        server.listen(port, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)),
      ),
    // Stop accepting and cut every open connection, as a crashed or restarted database would.
    cut: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        sockets.clear();
        server.close(() => resolve());
      }),
  };
}

describe('operations endpoints', () => {
  const ctx = buildTestApp();
  afterAll(() => ctx.close());

  it('when the process is up, GET /healthz returns 200', async () => {
    const res = await request(ctx.app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('when the database is reachable, GET /readyz returns 200 with the database check ok', async () => {
    const res = await request(ctx.app).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body.checks).toEqual({ database: 'ok' });
  });

  it('after a request, GET /metrics exposes its duration by route template', async () => {
    await request(ctx.app).get('/healthz');
    const res = await request(ctx.app).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/http_request_duration_seconds_count\{[^}]*route="\/healthz"/);
    expect(res.text).toContain('process_cpu_user_seconds_total');
  });

  it('GET /openapi.json is an OpenAPI 3.1 document and GET /docs is browsable HTML', async () => {
    const doc = await request(ctx.app).get('/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    const docs = await request(ctx.app).get('/docs/');
    expect(docs.status).toBe(200);
    expect(docs.headers['content-type']).toMatch(/text\/html/);
  });
});

describe('readiness while the database goes away and comes back', () => {
  it('when the database becomes unreachable, /readyz turns 503, and 200 again once it returns', async () => {
    const real = new URL(inject('databaseUrl'));
    const proxy = startProxy({ host: real.hostname, port: Number(real.port || 5432) });
    const port = await proxy.listen();
    const viaProxy = new URL(real);
    viaProxy.port = String(port);
    const ctx = buildTestApp({ DATABASE_URL: viaProxy.toString() });
    try {
      expect((await request(ctx.app).get('/readyz')).status).toBe(200);

      await proxy.cut();
      const down = await request(ctx.app).get('/readyz');
      expect(down.status).toBe(503);
      expect(down.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(JSON.stringify(down.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
      // The process is still serving: liveness is unaffected by a dependency outage.
      expect((await request(ctx.app).get('/healthz')).status).toBe(200);

      await proxy.listen(port);
      await expect
        .poll(async () => (await request(ctx.app).get('/readyz')).status, { timeout: 10_000 })
        .toBe(200);
    } finally {
      await proxy.cut().catch(() => {});
      await ctx.close();
    }
  });
});

describe('requests while the database is down', () => {
  it('when the database refuses connections, a login answers 503 dependency-unavailable with Retry-After, not 500, and works again once it is back', async () => {
    const real = new URL(inject('databaseUrl'));
    const proxy = await startTcpProxy({ host: real.hostname, port: Number(real.port || 5432) });
    const ctx = buildTestApp({ DATABASE_URL: proxy.urlFor(real.toString()) });
    try {
      const user = await registerAndLogin(ctx);
      const credentials = { email: user.email, password: user.password };

      await proxy.setMode('refuse');
      const down = await request(ctx.app).post('/auth/login').send(credentials);
      expect({ status: down.status, code: down.body.code, retryAfter: down.headers['retry-after'] }).toEqual({
        status: 503,
        code: 'dependency-unavailable',
        retryAfter: '1',
      });

      await proxy.setMode('forward');
      expect((await request(ctx.app).post('/auth/login').send(credentials)).status).toBe(200);
    } finally {
      await ctx.close();
      await proxy.close();
    }
  });
});
