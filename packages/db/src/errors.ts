// Kept free of imports so that @mini/http can use it (`@mini/db/errors`) without loading pg or Prisma.

// Postgres SQLSTATEs that say "not now" rather than "not this": the connection broke (class 08), the server is
// out of resources (class 53), a restart, a failover or pg_terminate_backend ended the session, the server is
// starting up, or a statement ran into statement_timeout.
const UNAVAILABLE_SQLSTATE_CLASSES = ['08', '53'];
const UNAVAILABLE_SQLSTATES = new Set([
  '57P01', // admin_shutdown: pg_terminate_backend, a fast shutdown or a failover
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up, shutting down, in recovery
  '57P05', // idle_session_timeout
  '25P03', // idle_in_transaction_session_timeout
  '57014', // query_canceled: statement_timeout (or an operator's cancel)
]);

// Node's socket errors on the way to the database: refused, reset, timed out, no route, no DNS answer.
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

// pg's own errors have no code, only a message; pg passes them through Prisma's adapter as they are.
const PG_MESSAGES = [
  'Connection terminated', // "... unexpectedly" (the server went away), "... due to connection timeout"
  'timeout exceeded when trying to connect', // every pool slot stayed busy for connectionTimeoutMillis
  'Query read timeout', // query_timeout: the answer did not come (a silent socket)
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
];

// Prisma's codes: P1001 can't reach the server, P1002 timed out reaching it, P1008 operation timed out,
// P1017 the server closed the connection, P2024 no pool connection in time, P2028 a transaction that expired
// or could not start in time, P2037 too many connections.
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028', 'P2037']);

// What Prisma's pg adapter turns socket and server errors into (meta.driverAdapterError.cause.kind). A raw
// query (P2010) or a model query (P2039) failing on a lost connection carries one of these.
const ADAPTER_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
]);

interface AdapterCause {
  kind?: unknown;
  originalCode?: unknown;
}

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  errorCode?: unknown;
  message?: unknown;
  cause?: AdapterCause;
  meta?: { driverAdapterError?: { cause?: AdapterCause } };
}

function isUnavailableSqlState(code: unknown): boolean {
  return (
    typeof code === 'string' &&
    code.length === 5 &&
    (UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_SQLSTATE_CLASSES.includes(code.slice(0, 2)))
  );
}

function isUnavailableAdapterCause(cause: AdapterCause | undefined): boolean {
  if (!cause) return false;
  return (
    (typeof cause.kind === 'string' && ADAPTER_KINDS.has(cause.kind)) ||
    isUnavailableSqlState(cause.originalCode)
  );
}

/**
 * Whether an error means the database could not serve the request right now (down, unreachable, restarting,
 * out of connections, silent, or too slow for statement_timeout) rather than that the request was wrong. The
 * same request may well succeed in a moment, so a service answers 503 with Retry-After, not 500.
 *
 * Recognises the error however it arrives: from pg directly (the raw pool: a SQLSTATE, a socket code, or
 * one of pg's own messages), from Prisma (P1001, P1017, P2024, P2028 ..., or P2010/P2039 carrying one of the
 * above from its pg adapter), or as the adapter's own DriverAdapterError.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as ErrorShape;
  if (typeof e.code === 'string') {
    if (PRISMA_CODES.has(e.code) || SOCKET_CODES.has(e.code) || isUnavailableSqlState(e.code)) return true;
  }
  // PrismaClientInitializationError names its code errorCode.
  if (typeof e.errorCode === 'string' && PRISMA_CODES.has(e.errorCode)) return true;
  if (isUnavailableAdapterCause(e.meta?.driverAdapterError?.cause)) return true;
  if (e.name === 'DriverAdapterError' && isUnavailableAdapterCause(e.cause)) return true;
  const message = e.message;
  return typeof message === 'string' && PG_MESSAGES.some((known) => message.startsWith(known));
}
