import { afterEach, describe, expect, inject, it } from 'vitest';
import request from 'supertest';
import { toAppError } from '@mini/http';
import type { Logger } from '@mini/logger';
import { asUser, captureLogs, startTcpProxy, type TcpProxy, testUser } from '@mini/testing';
import { buildTestAppWithAuth, createProject, createTask, type TestAppWithAuth } from './helpers.ts';
import { blockedBy, holdLocks, inFlight } from './locks.ts';

// The app reaches its test database through a TCP proxy the test controls: refusing, resetting or silencing
// it is how a database outage looks from the service, while Postgres itself keeps serving every other test.

let proxy: TcpProxy | undefined;
let ctx: TestAppWithAuth | undefined;
afterEach(async () => {
  await ctx?.close();
  await proxy?.close();
  ctx = undefined;
  proxy = undefined;
});

async function appBehindProxy(overrides: Record<string, string> = {}, logger?: Logger) {
  const real = new URL(inject('databaseUrl'));
  proxy = await startTcpProxy({ host: real.hostname, port: Number(real.port || 5432) });
  ctx = await buildTestAppWithAuth({ DATABASE_URL: proxy.urlFor(real.toString()), ...overrides }, logger);
  return { proxy, ctx };
}

function expectDependencyUnavailable(res: request.Response) {
  expect({ status: res.status, code: res.body.code, retryAfter: res.headers['retry-after'] }).toEqual({
    status: 503,
    code: 'dependency-unavailable',
    retryAfter: '1',
  });
}

describe('when the database is down', () => {
  it('every kind of request answers 503 dependency-unavailable with Retry-After, logged as one warning each; once it is back, all works again without a restart', async () => {
    const logs = captureLogs('info');
    const entries = () => logs.entries() as Array<{ level: number; msg: string; [field: string]: unknown }>;
    const { proxy, ctx } = await appBehindProxy({}, logs.logger);
    const owner = testUser('owner');
    const project = await createProject(ctx.app, owner);
    const task = await createTask(ctx.app, owner, project.id);

    await proxy.setMode('refuse');
    const down = [
      // a list: the membership check and the page run on the raw pg pool
      await asUser(ctx.app, owner).get(`/projects/${project.id}/tasks`),
      // a model query through Prisma
      await asUser(ctx.app, owner).get(`/tasks/${task.id}`),
      // a write in a Prisma interactive transaction
      await asUser(ctx.app, owner).post(`/projects/${project.id}/tasks`).send({ title: 'during the outage' }),
    ];
    for (const res of down) expectDependencyUnavailable(res);
    const readiness = await request(ctx.app).get('/readyz');
    expect({ status: readiness.status, code: readiness.body.code }).toEqual({
      status: 503,
      code: 'not-ready',
    });

    // One line per failing request (its access line, a warning), with the reason.
    const lines = entries().filter((line) =>
      down.some((res) => res.headers['x-request-id'] === line.requestId),
    );
    expect(lines).toHaveLength(down.length);
    for (const line of lines) {
      expect(line).toMatchObject({ level: 40, code: 'dependency-unavailable', reason: expect.any(String) });
    }
    expect(entries().filter((line) => line.level >= 50)).toEqual([]);
    expect(logs.text()).not.toContain('"stack"');

    await proxy.setMode('forward');
    expect((await asUser(ctx.app, owner).get(`/projects/${project.id}/tasks`)).status).toBe(200);
    expect((await asUser(ctx.app, owner).get(`/tasks/${task.id}`)).status).toBe(200);
    expect(
      (await asUser(ctx.app, owner).post(`/projects/${project.id}/tasks`).send({ title: 'after' })).status,
    ).toBe(201);
    expect((await request(ctx.app).get('/readyz')).status).toBe(200);
  });

  it('when the connections the app holds are reset, the next requests open new ones and succeed', async () => {
    const { proxy, ctx } = await appBehindProxy();
    const owner = testUser('owner');
    const project = await createProject(ctx.app, owner);
    proxy.resetAll();
    expect((await asUser(ctx.app, owner).get(`/projects/${project.id}/tasks`)).status).toBe(200);
    expect(
      (await asUser(ctx.app, owner).post(`/projects/${project.id}/tasks`).send({ title: 'x' })).status,
    ).toBe(201);
  });
});

describe("when the app's database session is terminated mid-request (pg_terminate_backend)", () => {
  it('a write in a transaction and a plain update answer 503, and the same requests then succeed', async () => {
    const { ctx } = await appBehindProxy();
    const owner = testUser('owner');
    const project = await createProject(ctx.app, owner);

    // The test holds the project row, so both requests are waiting in the database when their sessions end.
    const holder = await holdLocks();
    try {
      await holder.lock('SELECT 1 FROM projects WHERE id = $1 FOR UPDATE', [project.id]);
      const create = inFlight(
        asUser(ctx.app, owner).post(`/projects/${project.id}/tasks`).send({ title: 'x' }),
      );
      const rename = inFlight(
        asUser(ctx.app, owner).patch(`/projects/${project.id}`).send({ name: 'renamed' }),
      );
      const sessions = await blockedBy(holder.pid, [create, rename]);
      await holder.lock('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [sessions]);
      // The write fails in its transaction (Prisma P2010 carrying 57P01), the update as a model query (P2039).
      expectDependencyUnavailable(await create.done);
      expectDependencyUnavailable(await rename.done);
    } finally {
      await holder.release();
    }
    expect(
      (await asUser(ctx.app, owner).post(`/projects/${project.id}/tasks`).send({ title: 'x' })).status,
    ).toBe(201);
    expect(
      (await asUser(ctx.app, owner).patch(`/projects/${project.id}`).send({ name: 'renamed' })).status,
    ).toBe(200);
  });
});

describe('when the database goes silent (sockets open, no bytes: a failover, a partition)', () => {
  const QUERY_TIMEOUT_MS = 1_500;

  it('a request whose transaction falls silent answers 503 once the query timeout has passed, and the next requests succeed on new connections by themselves', async () => {
    const { proxy, ctx } = await appBehindProxy({
      DATABASE_STATEMENT_TIMEOUT_MS: '1000',
      DATABASE_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
    });
    const owner = testUser('owner');
    const project = await createProject(ctx.app, owner);
    await createTask(ctx.app, owner, project.id);
    // Sequential requests reuse one pooled connection: it is the one that falls silent.
    expect(proxy.openConnections).toBe(1);

    // The write has begun its transaction and waits on the project row the test holds; then its connection
    // falls silent, so the answer to its statement never arrives.
    const holder = await holdLocks();
    await holder.lock('SELECT 1 FROM projects WHERE id = $1 FOR UPDATE', [project.id]);
    const began = Date.now();
    try {
      const stuck = inFlight(
        asUser(ctx.app, owner).post(`/projects/${project.id}/tasks`).send({ title: 'stuck' }),
      );
      await blockedBy(holder.pid, [stuck]);
      proxy.silenceExisting();
      await holder.release();

      expectDependencyUnavailable(await stuck.done);
    } finally {
      await holder.release();
    }
    // One timeout, not two: the rollback behind the unanswered statement does not wait out a second one.
    expect(Date.now() - began).toBeLessThan(2 * QUERY_TIMEOUT_MS);

    // The silent connection left the pool: nothing waits on it again.
    expect(
      (await asUser(ctx.app, owner).post(`/projects/${project.id}/tasks`).send({ title: 'next' })).status,
    ).toBe(201);
    expect((await asUser(ctx.app, owner).get(`/projects/${project.id}/tasks`)).status).toBe(200);
    expect((await request(ctx.app).get('/readyz')).status).toBe(200);
  });

  it('when a silent request holds the only pool slot, another request answers 503 after the connect timeout instead of queueing', async () => {
    const { proxy, ctx } = await appBehindProxy({
      DATABASE_POOL_MAX: '1',
      DATABASE_CONNECT_TIMEOUT_MS: '200',
      DATABASE_QUERY_TIMEOUT_MS: '1500',
    });
    const owner = testUser('owner');
    const project = await createProject(ctx.app, owner);

    proxy.silenceExisting();
    const stuck = inFlight(asUser(ctx.app, owner).get(`/projects/${project.id}/tasks`));
    await expect.poll(() => ctx.db.pool.idleCount === 0 && ctx.db.pool.totalCount === 1).toBe(true);
    expectDependencyUnavailable(await asUser(ctx.app, owner).get(`/projects/${project.id}/tasks`));
    expect(stuck.settled).toBe(false);
    expectDependencyUnavailable(await stuck.done);
    expect((await asUser(ctx.app, owner).get(`/projects/${project.id}/tasks`)).status).toBe(200);
  });

  it('connections that fell silent while idle in the pool are checked and dropped before use: the next requests succeed without waiting out the query timeout', async () => {
    const { proxy, ctx } = await appBehindProxy({ DATABASE_QUERY_TIMEOUT_MS: '10000' });
    const owner = testUser('owner');
    const project = await createProject(ctx.app, owner);
    // Requests at once make the pool open several connections, which then sit idle.
    await Promise.all(
      Array.from({ length: 4 }, () => asUser(ctx.app, owner).get(`/projects/${project.id}/tasks`)),
    );
    const idle = ctx.db.pool.idleCount;
    expect(idle).toBeGreaterThan(1);
    await new Promise((resolve) => setTimeout(resolve, 1_200)); // idle long enough to be checked
    proxy.silenceExisting();

    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: idle }, () => asUser(ctx.app, owner).get(`/projects/${project.id}/tasks`)),
    );
    expect(answers.map((res) => res.status)).toEqual(answers.map(() => 200));
    // One failed check (1 s) at most per request, not the 10 s query timeout.
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 30_000);

  it('when a connection is reset while it is being checked, the process survives and the request gets a new connection', async () => {
    const { proxy, ctx } = await appBehindProxy({ DATABASE_QUERY_TIMEOUT_MS: '10000' });
    const owner = testUser('owner');
    const project = await createProject(ctx.app, owner);
    await new Promise((resolve) => setTimeout(resolve, 1_200)); // idle long enough to be checked
    proxy.silenceExisting();
    const answer = inFlight(asUser(ctx.app, owner).get(`/projects/${project.id}/tasks`));
    // The check's SELECT 1 is on its way and unanswered; then the connection is reset under it (an
    // unhandled 'error' event from the client would fail this test file).
    await expect.poll(() => proxy.swallowed().toString('latin1')).toContain('SELECT 1');
    proxy.resetAll();
    expect((await answer.done).status).toBe(200);
  }, 30_000);

  it('/readyz answers 503 not-ready while the database is silent, and 200 again once it answers', async () => {
    const { proxy, ctx } = await appBehindProxy();
    expect((await request(ctx.app).get('/readyz')).status).toBe(200);

    await proxy.setMode('blackhole');
    const down = await request(ctx.app).get('/readyz');
    expect({ status: down.status, code: down.body.code }).toEqual({ status: 503, code: 'not-ready' });

    await proxy.setMode('forward');
    await expect
      .poll(async () => (await request(ctx.app).get('/readyz')).status, { timeout: 15_000 })
      .toBe(200);
  }, 30_000);
});

describe('a Prisma interactive transaction that outlives its timeout (P2028)', () => {
  it('is an outage answer (503), not a 500', async () => {
    const { ctx } = await appBehindProxy();
    const expired = await ctx.db.prisma
      .$transaction(
        async (tx) => {
          await new Promise((resolve) => setTimeout(resolve, 300));
          return tx.project.count();
        },
        { timeout: 50 },
      )
      .catch((err: unknown) => err);
    expect(expired).toMatchObject({ code: 'P2028' });
    expect(toAppError(expired)).toMatchObject({ status: 503, code: 'dependency-unavailable' });
  });
});
