import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { inject } from 'vitest';

/**
 * Race tests freeze one request at a chosen point by holding, from the test's own connection, a row lock
 * that request needs next; then they start the competing request and check that it waits for the first
 * one. Each interleaving is then certain, not a matter of luck over many rounds.
 */

/** A transaction of the test's own: whatever it locks stays locked until release(). */
export interface LockHolder {
  /** Its backend pid, to find who waits for it. */
  pid: number;
  lock(sql: string, values?: unknown[]): Promise<void>;
  /** Rolls back: the locks go, the frozen request goes on. */
  release(): Promise<void>;
}

export async function holdLocks(): Promise<LockHolder> {
  const client = new pg.Client({ connectionString: inject('databaseUrl') });
  client.on('error', () => {});
  await client.connect();
  await client.query('BEGIN');
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  let released = false;
  return {
    pid: (rows[0] as { pid: number }).pid,
    async lock(sql, values = []) {
      await client.query(sql, values);
    },
    async release() {
      if (released) return;
      released = true;
      await client.query('ROLLBACK');
      await client.end();
    },
  };
}

/** A request (or any work) under way, whose end a test can notice without awaiting it. */
export interface InFlight<T> {
  done: Promise<T>;
  settled: boolean;
}

export function inFlight<T>(work: PromiseLike<T>): InFlight<T> {
  const state = { settled: false } as InFlight<T>;
  // Awaiting a supertest request is what sends it.
  state.done = Promise.resolve(work).finally(() => {
    state.settled = true;
  });
  return state;
}

// Sessions waiting for `blocker`, directly or behind another waiter: Postgres queues the second waiter for a
// row behind the first one, not behind the row's holder.
const WAITING_FOR = `
  WITH RECURSIVE waiting(pid) AS (
    SELECT pid FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))
    UNION
    SELECT a.pid FROM pg_stat_activity a JOIN waiting w ON w.pid = ANY(pg_blocking_pids(a.pid))
  )
  SELECT pid FROM waiting`;

/**
 * Waits until `count` database sessions wait for the session `blocker` (for a lock it holds, or waits for
 * ahead of them), and returns their pids. Fails as soon as one of `requests` finishes first: it did not
 * wait, which is what a race test is there to catch.
 */
export async function blockedBy(
  blocker: number,
  requests: Array<InFlight<unknown>>,
  count = requests.length,
): Promise<number[]> {
  const monitor = new pg.Client({ connectionString: inject('databaseUrl') });
  await monitor.connect();
  try {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const { rows } = await monitor.query<{ pid: number }>(WAITING_FOR, [blocker]);
      if (rows.length >= count) return rows.map((row) => row.pid);
      if (requests.some((request) => request.settled)) {
        throw new Error(`a request finished without waiting for the locks of session ${blocker}`);
      }
      if (Date.now() > deadline) {
        throw new Error(`after 10 s, ${rows.length} of ${count} requests wait for session ${blocker}`);
      }
      await sleep(10);
    }
  } finally {
    await monitor.end();
  }
}
