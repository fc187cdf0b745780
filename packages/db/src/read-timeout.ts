import type pg from 'pg';

/** What an overdue query fails with: pg's own `query_timeout` message, which isDatabaseUnavailable knows. */
export const QUERY_READ_TIMEOUT = 'Query read timeout';

// pg keeps the query a connection is waiting on in a private field; pg's own end() reads it the same way.
// test/prisma.test.ts's silent-connection tests fail if a pg upgrade renames it.
interface ClientInternals {
  _activeQuery?: { callback?: ((err: Error) => void) | undefined } | null;
}

interface Watched {
  /** The active query the last sweep saw on this connection, and when it first saw it. */
  query: unknown;
  since: number;
}

/**
 * Fails a query whose answer has not come within `timeoutMs` and closes its connection: the database went
 * silent (a failover, a network partition), and the connection would otherwise hang every request that
 * gets it. Whatever else is queued on it fails at once, and the pool opens a fresh connection next time.
 *
 * One timer per pool, not one per query: every `timeoutMs / 10` (at most every second) a sweep looks at the
 * query each connection is waiting on and drops the connection whose query has not changed for `timeoutMs`.
 * A query is then failed between `timeoutMs` and `timeoutMs` plus one sweep after it was sent. pg's own
 * `query_timeout` arms a timer and wraps the callback of every query instead (as did the client subclass that
 * closed the connection at its timeout); measured with the tasks list's floor on this pool, that per-query
 * work made query results outlive young-generation collections: a median 4.6 MB promoted to the old
 * generation per scavenge against 29 kB with the sweep, 29 ms pauses against 1 ms, 653 req/s against 1 755
 * (bench/README.md).
 */
export function dropOverdueQueries(
  pool: pg.Pool,
  timeoutMs: number,
  onDrop: (client: pg.PoolClient) => void,
): () => void {
  const watched = new Map<pg.PoolClient, Watched>();
  pool.on('connect', (client) => watched.set(client, { query: null, since: 0 }));
  pool.on('remove', (client) => watched.delete(client as pg.PoolClient));

  const sweep = () => {
    const now = performance.now();
    for (const [client, seen] of watched) {
      const query = (client as unknown as ClientInternals)._activeQuery ?? null;
      if (query !== seen.query) {
        seen.query = query;
        seen.since = now;
      } else if (query !== null && now - seen.since >= timeoutMs) {
        watched.delete(client);
        drop(client, query);
        onDrop(client);
      }
    }
  };
  const timer = setInterval(sweep, Math.min(1_000, Math.max(10, Math.round(timeoutMs / 10))));
  // A pool nobody closes must not keep the process alive.
  timer.unref();
  return () => clearInterval(timer);
}

function drop(client: pg.PoolClient, query: NonNullable<ClientInternals['_activeQuery']>): void {
  const callback = query.callback;
  // As pg's query_timeout does: the late answer, or the error the closed connection brings, goes nowhere.
  if (callback) query.callback = () => {};
  // With a query still active, end() destroys the socket at once instead of saying goodbye to a server that
  // may never read it; the queries queued behind fail with "Connection terminated".
  client.end().catch(() => {});
  // A query without a callback (a stream) hears "Connection terminated" from end() instead.
  callback?.(new Error(QUERY_READ_TIMEOUT));
}
