import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { errorMessage, stderrLogger, type DbLogger } from './logger.ts';

export interface CreatePrismaOptions {
  url: string;
  logger?: DbLogger;
  /** Pool size per process. */
  max?: number;
  /** Shown in pg_stat_activity, so a connection can be traced back to its service. */
  applicationName?: string;
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

/**
 * Builds an app's generated PrismaClient on a pg.Pool we own. Owning the pool is what lets us attach an
 * 'error' listener: without one, a connection killed while idle (Postgres restart, admin kill, network
 * blip) emits an unhandled 'error' and takes the whole process down.
 */
export function createPrisma<C extends { $disconnect(): Promise<void> }>(
  PrismaClientClass: new (options: { adapter: PrismaPg }) => C,
  options: CreatePrismaOptions,
): PrismaHandle<C> {
  const logger = options.logger ?? stderrLogger;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    // Fail a request fast instead of queueing it forever while the database is unreachable.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    ...(options.applicationName === undefined ? {} : { application_name: options.applicationName }),
  });
  pool.on('error', (err) => {
    logger.warn({ err: errorMessage(err) }, 'idle database connection lost; the pool will open a new one');
  });

  const adapter = new PrismaPg(pool, {
    onConnectionError: (err) => logger.warn({ err: errorMessage(err) }, 'database connection error'),
  });
  const prisma = new PrismaClientClass({ adapter });

  async function ping(): Promise<void> {
    // query_timeout bounds the round trip; connectionTimeoutMillis above bounds getting a connection.
    await pool.query({ text: 'SELECT 1', query_timeout: PING_TIMEOUT_MS } as pg.QueryConfig);
  }

  let closing: Promise<void> | undefined;
  function close(): Promise<void> {
    closing ??= (async () => {
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
