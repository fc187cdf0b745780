import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { errorMessage, stderrLogger, type DbLogger } from './logger.ts';
import { dropOverdueQueries } from './read-timeout.ts';

export interface CreatePrismaOptions extends PoolTimeouts {
  url: string;
  logger?: DbLogger;
  /** Pool size per process. */
  max?: number;
  /** Shown in pg_stat_activity, so a connection can be traced back to its service. */
  applicationName?: string;
}

/** How long the pool waits for the database; each has a default (below), the base config sets them all. */
export interface PoolTimeouts {
  /**
   * Postgres cancels a statement that runs longer (its `statement_timeout`, set on every connection), so a
   * slow query or a long lock wait fails instead of holding a pool slot. 0 leaves the server's own setting.
   */
  statementTimeoutMs?: number;
  /**
   * A query whose answer has not arrived after this long fails and its connection is closed: the database
   * went silent (a failover, a network partition). Keep it above statementTimeoutMs, so that a database that
   * is merely slow is stopped by Postgres first and the connection stays usable.
   */
  queryTimeoutMs?: number;
  /** Getting a connection (a free pool slot, or a new connection) gives up after this long. */
  connectTimeoutMs?: number;
}

export const DEFAULT_POOL_TIMEOUTS = {
  statementTimeoutMs: 5_000,
  queryTimeoutMs: 6_000,
  connectTimeoutMs: 5_000,
} as const satisfies Required<PoolTimeouts>;

/** The pool timeouts of the base config's DATABASE_*_TIMEOUT_MS variables (see @mini/config). */
export function poolTimeoutsFromConfig(config: {
  DATABASE_STATEMENT_TIMEOUT_MS: number;
  DATABASE_QUERY_TIMEOUT_MS: number;
  DATABASE_CONNECT_TIMEOUT_MS: number;
}): Required<PoolTimeouts> {
  return {
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    queryTimeoutMs: config.DATABASE_QUERY_TIMEOUT_MS,
    connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
  };
}

/** Pool size (DATABASE_POOL_MAX) and timeouts of the base config, for createPrisma. */
export function poolOptionsFromConfig(
  config: Parameters<typeof poolTimeoutsFromConfig>[0] & { DATABASE_POOL_MAX: number },
): Required<PoolTimeouts> & { max: number } {
  return { max: config.DATABASE_POOL_MAX, ...poolTimeoutsFromConfig(config) };
}

export interface PrismaHandle<C> {
  prisma: C;
  pool: pg.Pool;
  /** Resolves when the database answers `SELECT 1` within a couple of seconds; rejects otherwise. */
  ping(): Promise<void>;
  /** Disconnects Prisma and ends the pool. */
  close(): Promise<void>;
}

const PING_TIMEOUT_MS = 2_000;
// TCP keep-alive probes start after this much silence on a connection, so a pooled connection whose peer
// vanished (a partition, a host that died) is noticed and dropped within seconds, not after the kernel's
// default of two hours.
const KEEPALIVE_DELAY_MS = 10_000;

// A pooled connection idle for this long answers a quick SELECT 1 before it is handed out again, within
// IDLE_CHECK_TIMEOUT_MS; one that does not is dropped and the next one tried.
const IDLE_CHECK_AFTER_MS = 1_000;
const IDLE_CHECK_TIMEOUT_MS = 1_000;

type PoolCallback = (
  err: Error | undefined,
  client?: pg.PoolClient,
  done?: (release?: unknown) => void,
) => void;

/**
 * A connection that sat idle in the pool while the database went silent (a failover, a partition: the socket
 * stays open, no byte comes back) would only be found out by the query timeout of the next request that
 * takes it, and a pool holds several: each would cost one request a full DATABASE_QUERY_TIMEOUT_MS, one after
 * the other, long after fresh connections work again. So:
 * - a connection idle for a second is checked with a SELECT 1 (a millisecond on a live connection, and only
 *   for connections the load left idle) before it is handed out; a silent one is dropped;
 * - once one connection has proved silent (its check or a query timed out), every connection that has been
 *   idle since is suspect and dropped unchecked at its next checkout: they share its fate, and a new one is
 *   cheap.
 * The request then gets a working (or new) connection instead of a 503 after the query timeout.
 */
const ignoreClientError = () => {};

class CheckingPool extends pg.Pool {
  private readonly releasedAt = new WeakMap<pg.PoolClient, number>();
  private readonly onDropped: (err: unknown) => void;
  private silentSince = 0;

  constructor(config: pg.PoolConfig, onDropped: (err: unknown) => void) {
    super(config);
    this.onDropped = onDropped;
    this.on('release', (_err, client) => this.releasedAt.set(client, Date.now()));
    // pg-pool removes its 'error' listener from a connection it hands out, and Prisma's adapter adds none to
    // the connection of an interactive transaction: a connection killed between two statements (a
    // pg_terminate_backend, a failover) would emit an unhandled 'error' and end the process. The error still
    // fails the query in flight and every later one on that connection (503), and the pool discards the
    // connection when it comes back; this listener only keeps the event from being unhandled.
    this.on('connect', (client) => client.on('error', ignoreClientError));
  }

  /** A query of this pool got no answer in time (dropOverdueQueries closed its connection). */
  markSilent(): void {
    this.silentSince = Date.now();
  }

  // pg-pool's query() takes its connection through the callback form, Prisma's transactions through the
  // promise form: both are checked.
  override connect(): Promise<pg.PoolClient>;
  override connect(callback: PoolCallback): void;
  override connect(callback?: PoolCallback): Promise<pg.PoolClient> | void {
    const checked = this.checkedConnect();
    if (!callback) return checked;
    checked.then(
      (client) => callback(undefined, client, (release?: unknown) => client.release(release as Error)),
      (err: Error) => callback(err, undefined, () => {}),
    );
  }

  // Each turn that does not return drops a connection, so the loop ends: at worst with a new connection.
  private async checkedConnect(): Promise<pg.PoolClient> {
    for (;;) {
      const client = await super.connect();
      const releasedAt = this.releasedAt.get(client);
      if (releasedAt === undefined) return client; // new
      if (releasedAt < this.silentSince) {
        client.release(new Error('idle since a connection of this pool went silent'));
        continue;
      }
      if (Date.now() - releasedAt < IDLE_CHECK_AFTER_MS) return client;
      // A checked-out client has no 'error' listener (the pool's idle one is gone, the caller's not there
      // yet): a connection reset during the check would be an unhandled 'error' event and end the process.
      // The check's own rejection carries the error.
      const ignore = () => {};
      client.on('error', ignore);
      try {
        await client.query({ text: 'SELECT 1', query_timeout: IDLE_CHECK_TIMEOUT_MS } as pg.QueryConfig);
        return client;
      } catch (err) {
        this.silentSince = Date.now();
        // Released with an error, the connection is closed and leaves the pool.
        client.release(err instanceof Error ? err : new Error(String(err)));
        this.onDropped(err);
      } finally {
        client.off('error', ignore);
      }
    }
  }
}

/**
 * Builds an app's generated PrismaClient on a pg.Pool we own. Owning the pool is what lets us attach an
 * 'error' listener: without one, a connection killed while idle (Postgres restart, admin kill, network
 * blip) emits an unhandled 'error' and takes the whole process down.
 */
export function createPrisma<C extends { $disconnect(): Promise<void> }>(
  PrismaClientClass: new (options: { adapter: PrismaPg; transactionOptions: { maxWait: number } }) => C,
  options: CreatePrismaOptions,
): PrismaHandle<C> {
  const logger = options.logger ?? stderrLogger;
  const {
    statementTimeoutMs = DEFAULT_POOL_TIMEOUTS.statementTimeoutMs,
    queryTimeoutMs = DEFAULT_POOL_TIMEOUTS.queryTimeoutMs,
    connectTimeoutMs = DEFAULT_POOL_TIMEOUTS.connectTimeoutMs,
  } = options;
  const pool = new CheckingPool(
    {
      connectionString: options.url,
      max: options.max ?? 10,
      // Fail a request fast instead of queueing it forever while the database is unreachable or every slot is busy.
      connectionTimeoutMillis: connectTimeoutMs,
      // Sent when each connection starts, so it bounds every statement, in or out of a transaction.
      ...(statementTimeoutMs > 0 ? { statement_timeout: statementTimeoutMs } : {}),
      idleTimeoutMillis: 30_000,
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
      ...(options.applicationName === undefined ? {} : { application_name: options.applicationName }),
    },
    (err) =>
      logger.warn(
        { err: errorMessage(err) },
        'idle database connection did not answer its check; dropped, the pool opens a new one',
      ),
  );
  pool.on('error', (err) => {
    logger.warn({ err: errorMessage(err) }, 'idle database connection lost; the pool will open a new one');
  });
  // Not pg's query_timeout: see read-timeout.ts for why. 0 waits for an answer forever.
  const stopDropping =
    queryTimeoutMs > 0
      ? dropOverdueQueries(pool, queryTimeoutMs, () => {
          // The connections idle since are suspect too: see CheckingPool.
          pool.markSilent();
          logger.warn({ queryTimeoutMs }, 'database query got no answer in time; its connection was closed');
        })
      : () => {};

  const adapter = new PrismaPg(pool, {
    onConnectionError: (err) => logger.warn({ err: errorMessage(err) }, 'database connection error'),
  });
  // An interactive transaction waits for its connection as long as any query does: Prisma's own default
  // (maxWait, 2 s) would refuse transactions first under load while plain queries still get through.
  const prisma = new PrismaClientClass({ adapter, transactionOptions: { maxWait: connectTimeoutMs } });

  async function ping(): Promise<void> {
    // query_timeout bounds the round trip; connectionTimeoutMillis above bounds getting a connection.
    await pool.query({ text: 'SELECT 1', query_timeout: PING_TIMEOUT_MS } as pg.QueryConfig);
  }

  let closing: Promise<void> | undefined;
  function close(): Promise<void> {
    closing ??= (async () => {
      stopDropping();
      await prisma.$disconnect();
      await pool.end();
    })();
    return closing;
  }

  return { prisma, pool, ping, close };
}

interface PrismaKnownError {
  code?: unknown;
  meta?: {
    target?: unknown;
    driverAdapterError?: {
      cause?: { originalCode?: unknown; constraint?: { index?: string; fields?: string[] } };
    };
  };
}

// Postgres SQLSTATEs of a transaction that lost a race: serialization_failure, deadlock_detected.
const TRANSIENT_SQLSTATES = new Set(['40001', '40P01']);

/**
 * Whether a transaction failed only because it collided with a concurrent one (deadlock 40P01 or
 * serialization failure 40001; Prisma P2034 from a model query, P2010 carrying the code from a raw one, or
 * the pg error itself). Postgres has rolled it back; running it again from the start is safe.
 */
export function isTransientConflict(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, meta } = err as PrismaKnownError;
  if (code === 'P2034' || (typeof code === 'string' && TRANSIENT_SQLSTATES.has(code))) return true;
  const original = meta?.driverAdapterError?.cause?.originalCode;
  return typeof original === 'string' && TRANSIENT_SQLSTATES.has(original);
}

/**
 * For a unique constraint violation (Prisma P2002) returns the constraint's name (or its columns when
 * Postgres did not name it), so a service can tell "email taken" from "username taken"; null otherwise.
 */
export function isUniqueViolation(err: unknown): string | null {
  if (typeof err !== 'object' || err === null) return null;
  const { code, meta } = err as PrismaKnownError;
  if (code !== 'P2002') return null;
  const constraint = meta?.driverAdapterError?.cause?.constraint;
  if (constraint?.index) return constraint.index;
  if (constraint?.fields?.length) return constraint.fields.join(',');
  const target = meta?.target;
  if (typeof target === 'string') return target;
  if (Array.isArray(target) && target.length > 0) return target.join(',');
  return 'unknown';
}
