import { randomUUID } from 'node:crypto';
import type { PrismaPg } from '@prisma/adapter-pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma, isTransientConflict, isUniqueViolation, type DbLogger } from '../src/index.ts';
import { adminUrl, createScratchDatabase, query, type ScratchDatabase } from './helpers.ts';

// Stands in for an app's generated PrismaClient, which lives in the app; it keeps what it was built with.
class CapturingClient {
  readonly adapter: PrismaPg;
  readonly transactionOptions: { maxWait: number };
  disconnected = false;
  constructor(options: { adapter: PrismaPg; transactionOptions: { maxWait: number } }) {
    this.adapter = options.adapter;
    this.transactionOptions = options.transactionOptions;
  }
  async $disconnect(): Promise<void> {
    this.disconnected = true;
  }
}

function recordingLogger(): DbLogger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, info: () => {}, warn: (_obj, msg) => warnings.push(msg) };
}

let db: ScratchDatabase;
beforeAll(async () => {
  db = await createScratchDatabase('prisma');
});
afterAll(async () => {
  await db.drop();
});

describe('createPrisma', () => {
  it("builds the app's client on a Prisma adapter that runs on the returned pool", async () => {
    const handle = createPrisma(CapturingClient, { url: db.url });
    try {
      const connection = await handle.prisma.adapter.connect();
      expect(connection.underlyingDriver()).toBe(handle.pool);
      await expect(handle.ping()).resolves.toBeUndefined();
    } finally {
      await handle.close();
    }
    expect(handle.prisma.disconnected).toBe(true);
    expect(handle.pool.ended).toBe(true);
  });

  it('a connection killed while checked out and idle (between two statements of a transaction) fails its next query but never crashes the process', async () => {
    const applicationName = `held-${randomUUID()}`;
    const handle = createPrisma(CapturingClient, { url: db.url, applicationName });
    try {
      const client = await handle.pool.connect();
      await client.query('BEGIN');
      await query(
        adminUrl,
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
        [applicationName],
      );
      // The FATAL message arrives while no query is in flight: pg emits it as an 'error' event on the client.
      await expect(client.query('SELECT 1')).rejects.toThrow();
      client.release(new Error('killed'));
      await expect(handle.ping()).resolves.toBeUndefined();
    } finally {
      await handle.close();
    }
  });

  it('when pooled connections are killed, logs a warning instead of crashing and the next ping succeeds', async () => {
    const logger = recordingLogger();
    const applicationName = `kill-${randomUUID()}`;
    const handle = createPrisma(CapturingClient, { url: db.url, logger, applicationName });
    try {
      const clients = await Promise.all([
        handle.pool.connect(),
        handle.pool.connect(),
        handle.pool.connect(),
      ]);
      clients.forEach((client) => client.release());

      const killed = await query<{ ok: boolean }>(
        adminUrl,
        'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1',
        [applicationName],
      );
      expect(killed).toHaveLength(3);
      await expect.poll(() => logger.warnings.length).toBe(3);

      await expect(handle.ping()).resolves.toBeUndefined();
      expect(logger.warnings[0]).toMatch(/idle database connection lost/);
    } finally {
      await handle.close();
    }
  });

  it('when the database is unreachable, ping rejects promptly', async () => {
    const unreachable = new URL(db.url);
    unreachable.port = '1';
    const handle = createPrisma(CapturingClient, { url: unreachable.toString(), logger: recordingLogger() });
    const began = Date.now();
    try {
      await expect(handle.ping()).rejects.toThrow();
      expect(Date.now() - began).toBeLessThan(6_000);
    } finally {
      await handle.close();
    }
  });
});

describe('createPrisma timeouts', () => {
  it('sets statement_timeout on every connection: a longer statement is cancelled and the connection stays usable', async () => {
    const handle = createPrisma(CapturingClient, { url: db.url, statementTimeoutMs: 150 });
    try {
      const adapter = await handle.prisma.adapter.connect();
      const tx = await adapter.startTransaction();
      const shown = await tx.queryRaw({ sql: 'SHOW statement_timeout', args: [], argTypes: [] });
      expect(shown.rows).toEqual([['150ms']]);
      const cancelled = await tx
        .queryRaw({ sql: 'SELECT pg_sleep(5)', args: [], argTypes: [] })
        .catch((err: unknown) => err);
      await tx.executeRaw({ sql: 'ROLLBACK', args: [], argTypes: [] });
      await tx.rollback();
      expect(cancelled).toMatchObject({ cause: { originalCode: '57014' } });
      await expect(handle.ping()).resolves.toBeUndefined();
    } finally {
      await handle.close();
    }
  });

  it("an interactive transaction waits for a connection as long as a query does (Prisma's maxWait is the connect timeout)", async () => {
    const handle = createPrisma(CapturingClient, { url: db.url, connectTimeoutMs: 4_321 });
    try {
      expect(handle.prisma.transactionOptions).toEqual({ maxWait: 4_321 });
      expect(handle.pool.options.connectionTimeoutMillis).toBe(4_321);
    } finally {
      await handle.close();
    }
  });

  it('when statementTimeoutMs is 0, leaves the server setting alone', async () => {
    const handle = createPrisma(CapturingClient, { url: db.url, statementTimeoutMs: 0 });
    try {
      const { rows } = await handle.pool.query<{ statement_timeout: string }>('SHOW statement_timeout');
      expect(rows).toEqual([{ statement_timeout: '0' }]);
    } finally {
      await handle.close();
    }
  });

  it('a transaction longer than the statement timeout, made of short statements, commits', async () => {
    const handle = createPrisma(CapturingClient, { url: db.url, statementTimeoutMs: 200 });
    try {
      await handle.pool.query('CREATE TABLE long_tx (n int)');
      const adapter = await handle.prisma.adapter.connect();
      const tx = await adapter.startTransaction();
      for (let n = 0; n < 5; n++) {
        await tx.executeRaw({ sql: `INSERT INTO long_tx VALUES (${n})`, args: [], argTypes: [] });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await tx.executeRaw({ sql: 'COMMIT', args: [], argTypes: [] });
      await tx.commit();
      const { rows } = await handle.pool.query<{ count: string }>('SELECT count(*) FROM long_tx');
      expect(rows).toEqual([{ count: '5' }]);
    } finally {
      await handle.close();
    }
  });

  it('when an answer does not come within the query timeout, the query fails, the connection is closed at once, and the pool opens a new one', async () => {
    const applicationName = `silent-${randomUUID()}`;
    const logger = recordingLogger();
    // No statement timeout: the server keeps "working" on pg_sleep and says nothing, as a silent socket would.
    const handle = createPrisma(CapturingClient, {
      url: db.url,
      statementTimeoutMs: 0,
      queryTimeoutMs: 300,
      applicationName,
      logger,
    });
    try {
      const adapter = await handle.prisma.adapter.connect();
      const tx = await adapter.startTransaction();
      const timedOut = await tx
        .queryRaw({ sql: 'SELECT pg_sleep(30)', args: [], argTypes: [] })
        .catch((err: unknown) => err);
      expect(timedOut).toMatchObject({ message: 'Query read timeout' });
      // Prisma rolls back next: on a closed connection that fails at once instead of waiting behind the
      // unanswered query for a second timeout.
      const rollback = await tx
        .executeRaw({ sql: 'ROLLBACK', args: [], argTypes: [] })
        .catch((err: unknown) => err);
      expect(rollback).toBeInstanceOf(Error);
      expect((rollback as Error).message).not.toBe('Query read timeout');
      await tx.rollback();
      // The connection did not go back to the pool, where it would hang the next request.
      expect(handle.pool.totalCount).toBe(0);
      await expect(handle.ping()).resolves.toBeUndefined();
      expect(logger.warnings).toEqual(['database query got no answer in time; its connection was closed']);
    } finally {
      // Postgres would end the abandoned session only once pg_sleep returns and it finds the socket gone.
      await query(
        adminUrl,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND query = 'SELECT pg_sleep(30)'",
        [applicationName],
      );
      await handle.close();
    }
  });

  it('the query timeout bounds each query, not the connection: a session of short queries longer than it succeeds', async () => {
    const handle = createPrisma(CapturingClient, { url: db.url, statementTimeoutMs: 0, queryTimeoutMs: 200 });
    const client = await handle.pool.connect();
    try {
      const started = performance.now();
      for (let n = 0; n < 6; n++) await client.query('SELECT pg_sleep(0.1)');
      expect(performance.now() - started).toBeGreaterThan(500);
      await expect(client.query('SELECT 1 AS ok')).resolves.toMatchObject({ rows: [{ ok: 1 }] });
    } finally {
      client.release();
      await handle.close();
    }
  });

  it("a query arms no timer and gets no wrapper of its own: the connection holds the caller's callback", async () => {
    // pg's query_timeout does both for every query; measured on the tasks list, that made the pool's results
    // outlive young-generation collections (bench/README.md). The pool sweeps its connections instead.
    const handle = createPrisma(CapturingClient, { url: db.url, queryTimeoutMs: 1_000 });
    const client = await handle.pool.connect();
    const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
    try {
      let answered!: () => void;
      const done = new Promise<void>((resolve) => (answered = resolve));
      const callback = () => answered();
      const before = timers();
      client.query('SELECT 1', callback);
      expect(timers()).toBe(before);
      expect((client as unknown as { _activeQuery: { callback: unknown } })._activeQuery.callback).toBe(
        callback,
      );
      await done;
    } finally {
      client.release();
      await handle.close();
    }
  });
});

describe('isUniqueViolation', () => {
  it("when Prisma reports P2002 from the pg adapter, returns the violated constraint's name", async () => {
    const handle = createPrisma(CapturingClient, { url: db.url });
    try {
      await handle.pool.query('CREATE TABLE people (email TEXT CONSTRAINT people_email_key UNIQUE)');
      const adapter = await handle.prisma.adapter.connect();
      const insert = { sql: "INSERT INTO people VALUES ('a@example.com')", args: [], argTypes: [] };
      await adapter.executeRaw(insert);
      const driverAdapterError = await adapter.executeRaw(insert).catch((err: unknown) => err);

      // Prisma's client wraps the adapter's error exactly so: code P2002, the adapter error under meta.
      expect(isUniqueViolation({ code: 'P2002', meta: { modelName: 'Person', driverAdapterError } })).toBe(
        'people_email_key',
      );
    } finally {
      await handle.close();
    }
  });

  it('when only the target is known, returns it; for any other error returns null', () => {
    expect(isUniqueViolation({ code: 'P2002', meta: { target: ['email'] } })).toBe('email');
    expect(isUniqueViolation({ code: 'P2025', meta: {} })).toBeNull();
    expect(isUniqueViolation(new Error('boom'))).toBeNull();
    expect(isUniqueViolation(undefined)).toBeNull();
  });
});

describe('isTransientConflict', () => {
  it('when Postgres detects a deadlock between two transactions of the pg adapter, recognises its error', async () => {
    const handle = createPrisma(CapturingClient, { url: db.url });
    try {
      await handle.pool.query('CREATE TABLE locks_probe (id int PRIMARY KEY)');
      await handle.pool.query('INSERT INTO locks_probe VALUES (1), (2)');
      const adapter = await handle.prisma.adapter.connect();
      const lock = (id: number) => ({
        sql: `SELECT id FROM locks_probe WHERE id = ${id} FOR UPDATE`,
        args: [],
        argTypes: [],
      });
      const crossing = async (first: number, second: number) => {
        const tx = await adapter.startTransaction();
        try {
          await tx.queryRaw(lock(first));
          await new Promise((resolve) => setTimeout(resolve, 200));
          await tx.queryRaw(lock(second));
          await tx.commit();
        } catch (err) {
          await tx.rollback();
          throw err;
        }
      };
      const results = await Promise.allSettled([crossing(1, 2), crossing(2, 1)]);
      const failures = results.filter((r) => r.status === 'rejected').map((r) => r.reason as unknown);
      expect(failures).toHaveLength(1);
      // Prisma's client wraps the adapter's error so: P2034 (model query) or P2010 (raw), the error under meta.
      expect(isTransientConflict({ code: 'P2010', meta: { driverAdapterError: failures[0] } })).toBe(true);
    } finally {
      await handle.close();
    }
  });

  it('recognises P2034 and the SQLSTATEs 40001 and 40P01; nothing else', () => {
    expect(isTransientConflict({ code: 'P2034', meta: {} })).toBe(true);
    expect(isTransientConflict({ code: '40001' })).toBe(true);
    const driverAdapterError = { cause: { originalCode: '40P01', kind: 'TransactionWriteConflict' } };
    expect(isTransientConflict({ code: 'P2010', meta: { driverAdapterError } })).toBe(true);
    expect(isTransientConflict({ code: 'P2002', meta: {} })).toBe(false);
    expect(isTransientConflict({ code: '23505' })).toBe(false);
    expect(isTransientConflict(new Error('boom'))).toBe(false);
    expect(isTransientConflict(null)).toBe(false);
  });
});
