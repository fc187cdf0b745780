import { randomUUID } from 'node:crypto';
import net from 'node:net';
import type { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma, isDatabaseUnavailable, type DbLogger } from '../src/index.ts';
import { adminUrl, createScratchDatabase, query, type ScratchDatabase } from './helpers.ts';

// Stands in for an app's generated PrismaClient: the adapter is what the real client runs its queries on.
class AdapterHolder {
  readonly adapter: PrismaPg;
  constructor(options: { adapter: PrismaPg }) {
    this.adapter = options.adapter;
  }
  async $disconnect(): Promise<void> {}
}

const quiet: DbLogger = { info: () => {}, warn: () => {} };
const raw = (sql: string) => ({ sql, args: [], argTypes: [] });
// How Prisma's client reports an adapter error: P2010 for a raw query, P2039 for a model query.
const asPrisma = (code: string, driverAdapterError: unknown) => ({ code, meta: { driverAdapterError } });

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: unknown) => err,
  );
}

/** A TCP server on a free port that does `onConnection` with each socket (reset it, or say nothing). */
async function fakeServer(onConnection: (socket: net.Socket) => void) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return { port, close };
}

/** A port nothing listens on: taken from the kernel, then released. */
async function closedPort(): Promise<number> {
  const server = await fakeServer(() => {});
  await server.close();
  return server.port;
}

let db: ScratchDatabase;
beforeAll(async () => {
  db = await createScratchDatabase('unavail');
});
afterAll(async () => {
  await db.drop();
});

const withPort = (url: string, port: number) => {
  const parsed = new URL(url);
  parsed.port = String(port);
  return parsed.toString();
};

/** Terminates this test's own connections (by their unique application_name) once they are running `sql`. */
async function terminateWhenRunning(applicationName: string, sql: string): Promise<void> {
  await expect
    .poll(
      async () =>
        (
          await query<{ ok: boolean }>(
            adminUrl,
            'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1 AND query = $2',
            [applicationName, sql],
          )
        ).length,
      { timeout: 10_000 },
    )
    .toBeGreaterThan(0);
}

describe('isDatabaseUnavailable, on real failures', () => {
  it('when nothing listens on the database port (ECONNREFUSED), recognises the pool error and the adapter errors', async () => {
    const handle = createPrisma(AdapterHolder, { url: withPort(db.url, await closedPort()), logger: quiet });
    try {
      const poolError = await failure(handle.pool.query('SELECT 1'));
      expect((poolError as { code?: string }).code).toBe('ECONNREFUSED');
      expect(isDatabaseUnavailable(poolError)).toBe(true);

      const adapter = await handle.prisma.adapter.connect();
      const queryError = await failure(adapter.queryRaw(raw('SELECT 1')));
      expect(queryError).toMatchObject({ cause: { kind: 'DatabaseNotReachable' } });
      expect(isDatabaseUnavailable(queryError)).toBe(true);
      expect(isDatabaseUnavailable(asPrisma('P2010', queryError))).toBe(true);
      const txError = await failure(adapter.startTransaction());
      expect(isDatabaseUnavailable(asPrisma('P1001', txError))).toBe(true);
    } finally {
      await handle.close();
    }
  });

  it('when the server resets the connection (ECONNRESET), recognises it', async () => {
    const server = await fakeServer((socket) => socket.resetAndDestroy());
    const handle = createPrisma(AdapterHolder, { url: withPort(db.url, server.port), logger: quiet });
    try {
      const poolError = await failure(handle.pool.query('SELECT 1'));
      expect((poolError as { code?: string }).code).toBe('ECONNRESET');
      expect(isDatabaseUnavailable(poolError)).toBe(true);
      const adapter = await handle.prisma.adapter.connect();
      const queryError = await failure(adapter.queryRaw(raw('SELECT 1')));
      expect(isDatabaseUnavailable(asPrisma('P2010', queryError))).toBe(true);
    } finally {
      await handle.close();
      await server.close();
    }
  });

  it('when the server accepts but never answers, the connect timeout error is recognised', async () => {
    const server = await fakeServer(() => {});
    const url = withPort(db.url, server.port);
    const handle = createPrisma(AdapterHolder, { url, logger: quiet, connectTimeoutMs: 200 });
    try {
      const poolError = await failure(handle.pool.query('SELECT 1'));
      expect((poolError as Error).message).toBe('Connection terminated due to connection timeout');
      expect(isDatabaseUnavailable(poolError)).toBe(true);
    } finally {
      await handle.close();
      await server.close();
    }
  });

  it('when the server closes the connection without a word, "Connection terminated unexpectedly" is recognised', async () => {
    const server = await fakeServer((socket) => socket.end());
    const handle = createPrisma(AdapterHolder, { url: withPort(db.url, server.port), logger: quiet });
    try {
      const poolError = await failure(handle.pool.query('SELECT 1'));
      expect((poolError as Error).message).toBe('Connection terminated unexpectedly');
      expect(isDatabaseUnavailable(poolError)).toBe(true);
    } finally {
      await handle.close();
      await server.close();
    }
  });

  it('when an answer does not come within the query timeout, "Query read timeout" is recognised', async () => {
    const applicationName = `silent-${randomUUID()}`;
    const handle = createPrisma(AdapterHolder, {
      url: db.url,
      logger: quiet,
      applicationName,
      statementTimeoutMs: 0,
      queryTimeoutMs: 200,
    });
    try {
      const poolError = await failure(handle.pool.query('SELECT pg_sleep(30)'));
      expect((poolError as Error).message).toBe('Query read timeout');
      expect(isDatabaseUnavailable(poolError)).toBe(true);
    } finally {
      await query(
        adminUrl,
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
        [applicationName],
      );
      await handle.close();
    }
  });

  it('when every pool slot stays busy past the connect timeout, the pool timeout error is recognised', async () => {
    const handle = createPrisma(AdapterHolder, { url: db.url, logger: quiet, max: 1, connectTimeoutMs: 200 });
    const held = await handle.pool.connect();
    try {
      const poolError = await failure(handle.pool.query('SELECT 1'));
      expect((poolError as Error).message).toBe('timeout exceeded when trying to connect');
      expect(isDatabaseUnavailable(poolError)).toBe(true);
    } finally {
      held.release();
      await handle.close();
    }
  });

  it('when a running query is terminated (pg_terminate_backend, 57P01), recognises it from the pool and from the adapter', async () => {
    const applicationName = `terminate-${randomUUID()}`;
    const handle = createPrisma(AdapterHolder, { url: db.url, logger: quiet, applicationName });
    try {
      const poolSleep = 'SELECT pg_sleep(30) -- pool';
      const poolFailure = failure(handle.pool.query(poolSleep));
      await terminateWhenRunning(applicationName, poolSleep);
      const poolError = await poolFailure;
      expect((poolError as { code?: string }).code).toBe('57P01');
      expect(isDatabaseUnavailable(poolError)).toBe(true);

      const adapter = await handle.prisma.adapter.connect();
      const adapterSleep = 'SELECT pg_sleep(30) -- adapter';
      const adapterFailure = failure(adapter.queryRaw(raw(adapterSleep)));
      await terminateWhenRunning(applicationName, adapterSleep);
      const adapterError = await adapterFailure;
      expect(adapterError).toMatchObject({ cause: { originalCode: '57P01' } });
      expect(isDatabaseUnavailable(asPrisma('P2010', adapterError))).toBe(true);
      expect(isDatabaseUnavailable(asPrisma('P2039', adapterError))).toBe(true);
    } finally {
      await handle.close();
    }
  });

  it('when a connection in a transaction is terminated between two statements, the next statement fails with a recognised error', async () => {
    const applicationName = `terminate-${randomUUID()}`;
    const handle = createPrisma(AdapterHolder, { url: db.url, logger: quiet, applicationName });
    try {
      const adapter = await handle.prisma.adapter.connect();
      const tx = await adapter.startTransaction();
      await tx.queryRaw(raw('SELECT 1 -- first'));
      await terminateWhenRunning(applicationName, 'SELECT 1 -- first');
      // The server's goodbye arrives on its own; wait until pg has seen it, as a later request would.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const next = await failure(tx.queryRaw(raw('SELECT 2')));
      await tx.rollback();
      expect(isDatabaseUnavailable(next)).toBe(true);
    } finally {
      await handle.close();
    }
  });

  it('when a statement runs past statement_timeout (57014), recognises it', async () => {
    const handle = createPrisma(AdapterHolder, { url: db.url, logger: quiet, statementTimeoutMs: 100 });
    try {
      const poolError = await failure(handle.pool.query('SELECT pg_sleep(2)'));
      expect((poolError as { code?: string }).code).toBe('57014');
      expect(isDatabaseUnavailable(poolError)).toBe(true);
    } finally {
      await handle.close();
    }
  });

  it('does not take a request error for an outage: unique and foreign-key violations, syntax errors, bugs', async () => {
    const handle = createPrisma(AdapterHolder, { url: db.url, logger: quiet });
    try {
      await handle.pool.query('CREATE TABLE parents (id int PRIMARY KEY)');
      await handle.pool.query('CREATE TABLE children (parent int REFERENCES parents)');
      await handle.pool.query('INSERT INTO parents VALUES (1)');
      const adapter = await handle.prisma.adapter.connect();
      const unique = await failure(adapter.executeRaw(raw('INSERT INTO parents VALUES (1)')));
      const foreignKey = await failure(adapter.executeRaw(raw('INSERT INTO children VALUES (2)')));
      const syntax = await failure(handle.pool.query('SELEC 1'));

      expect(isDatabaseUnavailable(asPrisma('P2002', unique))).toBe(false);
      expect(isDatabaseUnavailable(asPrisma('P2003', foreignKey))).toBe(false);
      expect(isDatabaseUnavailable(syntax)).toBe(false);
      expect(isDatabaseUnavailable(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(
        false,
      );
      expect(isDatabaseUnavailable(undefined)).toBe(false);
      expect(isDatabaseUnavailable('Connection terminated')).toBe(false);
    } finally {
      await handle.close();
    }
  });
});

describe('isDatabaseUnavailable, on the codes Prisma reports without an adapter error', () => {
  it.each(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028', 'P2037'])('recognises %s', (code) => {
    expect(isDatabaseUnavailable({ code, meta: {} })).toBe(true);
  });

  it('recognises an initialization error by its errorCode', () => {
    expect(isDatabaseUnavailable({ name: 'PrismaClientInitializationError', errorCode: 'P1001' })).toBe(true);
  });
});

describe('pg errors are what pg says they are', () => {
  // Guards the messages isDatabaseUnavailable matches against a pg upgrade that rewords them.
  it('a query on a client whose connection was closed fails with one of the recognised messages', async () => {
    const client = new pg.Client({ connectionString: db.url });
    client.on('error', () => {});
    await client.connect();
    await client.end();
    const error = await failure(client.query('SELECT 1'));
    expect(isDatabaseUnavailable(error)).toBe(true);
  });
});
