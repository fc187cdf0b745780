import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Store } from '@mini/db';
import {
  idempotencyKeys,
  idempotent,
  idempotentRequest,
  requestHash,
  purgeExpiredIdempotencyKeys,
  type IdempotencyKeys,
  type IdempotentRequest,
  type RawSqlClient,
} from '../src/index.ts';

// The package runs on whatever client a service's store hands it (Prisma's, in the services); here a pg
// connection with the same two methods, on a database migrated with the package's own migration.
const raw = (db: pg.Pool | pg.PoolClient): RawSqlClient => ({
  $queryRawUnsafe: async <T>(text: string, ...values: unknown[]) => (await db.query(text, values)).rows as T,
  $executeRawUnsafe: async (text: string, ...values: unknown[]) =>
    (await db.query(text, values)).rowCount ?? 0,
});

interface Repos {
  idempotency: IdempotencyKeys;
  notes: { create(text: string): Promise<{ id: number; text: string; at: Date }> };
}

function reposOn(db: pg.Pool | pg.PoolClient): Repos {
  return {
    idempotency: idempotencyKeys(raw(db)),
    notes: {
      create: async (text) =>
        (await db.query('INSERT INTO notes (text) VALUES ($1) RETURNING id, text, at', [text])).rows[0],
    },
  };
}

let pool: pg.Pool;
let store: Store<Repos>;
beforeAll(async () => {
  pool = new pg.Pool({ connectionString: inject('databaseUrl'), max: 6 });
  await pool.query(
    'CREATE TABLE IF NOT EXISTS notes (id serial PRIMARY KEY, text text, at timestamptz DEFAULT now())',
  );
  store = {
    repos: reposOn(pool),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(reposOn(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      } finally {
        client.release();
      }
    },
  };
});
afterAll(() => pool.end());

const ttlMs = 3_600_000;
const request = (hash = 'h1', owner = randomUUID()): IdempotentRequest => ({
  owner,
  key: randomUUID(),
  requestHash: hash,
});

/** A create that counts its runs and can be made to wait or fail. */
function noteCreate(text: string, options: { delayMs?: number; fail?: boolean } = {}) {
  const calls = { count: 0 };
  const perform = async (tx: Repos) => {
    calls.count++;
    const note = await tx.notes.create(text);
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    if (options.fail) throw new Error('the create failed');
    return note;
  };
  const revive = (body: unknown) => {
    const note = body as { id: number; text: string; at: string };
    return { ...note, at: new Date(note.at) };
  };
  return { calls, perform, revive };
}

async function countNotes(text: string): Promise<number> {
  return Number((await pool.query('SELECT count(*) FROM notes WHERE text = $1', [text])).rows[0].count);
}

describe('idempotent', () => {
  it('without a key, runs the work every time', async () => {
    const text = randomUUID();
    const { calls, perform } = noteCreate(text);
    await idempotent(store, undefined, { ttlMs, perform });
    await idempotent(store, undefined, { ttlMs, perform });
    expect(calls.count).toBe(2);
  });

  it('a retry with the same key and request replays the stored answer (revived) and does nothing', async () => {
    const text = randomUUID();
    const { calls, perform, revive } = noteCreate(text);
    const req = request();
    const first = await idempotent(store, req, { ttlMs, perform, revive });
    const again = await idempotent(store, req, { ttlMs, perform, revive });
    expect(first).toMatchObject({ status: 201, replayed: false });
    expect(again).toEqual({ value: first.value, status: 201, replayed: true });
    expect(again.value.at).toBeInstanceOf(Date);
    expect({ calls: calls.count, rows: await countNotes(text) }).toEqual({ calls: 1, rows: 1 });
  });

  it('the same key with another request is 422 idempotency-key-reused', async () => {
    const { perform } = noteCreate(randomUUID());
    const req = request('h1');
    await idempotent(store, req, { ttlMs, perform });
    await expect(idempotent(store, { ...req, requestHash: 'h2' }, { ttlMs, perform })).rejects.toMatchObject({
      status: 422,
      code: 'idempotency-key-reused',
    });
  });

  it('two owners may use the same key for different requests', async () => {
    const { perform } = noteCreate(randomUUID());
    const req = request('h1');
    await idempotent(store, req, { ttlMs, perform });
    const other = await idempotent(
      store,
      { ...req, owner: randomUUID(), requestHash: 'h2' },
      { ttlMs, perform },
    );
    expect(other.replayed).toBe(false);
  });

  it('a concurrent retry waits for the first request to finish, then replays its answer: the work runs once', async () => {
    const text = randomUUID();
    const { calls, perform } = noteCreate(text, { delayMs: 300 });
    const req = request();
    const [a, b] = await Promise.all([
      idempotent(store, req, { ttlMs, perform }),
      new Promise((resolve) => setTimeout(resolve, 50)).then(() =>
        idempotent(store, req, { ttlMs, perform }),
      ),
    ]);
    expect([a.replayed, b.replayed]).toEqual([false, true]);
    expect(b.value).toEqual(JSON.parse(JSON.stringify(a.value)));
    expect({ calls: calls.count, rows: await countNotes(text) }).toEqual({ calls: 1, rows: 1 });
  });

  it('when the work fails, nothing is stored and the retry does the work', async () => {
    const text = randomUUID();
    const req = request();
    const failing = noteCreate(text, { fail: true });
    await expect(idempotent(store, req, { ttlMs, perform: failing.perform })).rejects.toThrow(
      'the create failed',
    );
    const retry = await idempotent(store, req, { ttlMs, perform: noteCreate(text).perform });
    expect(retry.replayed).toBe(false);
    expect(await countNotes(text)).toBe(1);
  });

  it('after the time to live, the key is free again: the same request does the work anew', async () => {
    const text = randomUUID();
    const { calls, perform } = noteCreate(text);
    const req = request();
    await idempotent(store, req, { ttlMs, perform });
    await pool.query(`UPDATE idempotency_keys SET created_at = now() - interval '2 hours' WHERE key = $1`, [
      req.key,
    ]);
    const again = await idempotent(store, { ...req, requestHash: 'other' }, { ttlMs, perform });
    expect({ replayed: again.replayed, calls: calls.count }).toEqual({ replayed: false, calls: 2 });
  });

  it('before a replay, runs beforeReplay (an authorization check) and stops there when it throws', async () => {
    const { perform } = noteCreate(randomUUID());
    const req = request();
    await idempotent(store, req, { ttlMs, perform });
    const denied = idempotent(store, req, {
      ttlMs,
      perform,
      beforeReplay: () => Promise.reject(new Error('no longer a member')),
    });
    await expect(denied).rejects.toThrow('no longer a member');
  });

  it('when the key is taken but its answer is gone by the time it is read (swept), answers 409 idempotency-key-busy', async () => {
    const taken: Store<Repos> = {
      repos: store.repos,
      transaction: (fn) =>
        store.transaction((tx) =>
          fn({ ...tx, idempotency: { ...tx.idempotency, claim: async () => false } }),
        ),
    };
    await expect(
      idempotent(taken, request(), { ttlMs, perform: noteCreate('x').perform }),
    ).rejects.toMatchObject({
      status: 409,
      code: 'idempotency-key-busy',
      headers: { 'Retry-After': '1' },
    });
  });
});

describe('requestHash', () => {
  const req = { method: 'POST', baseUrl: '', path: '/projects/1/tasks' };

  it('is the same for the same body written in another key order or date spelling, and differs by path or body', () => {
    expect(requestHash(req, { a: 1, b: new Date('2027-01-01T00:00:00Z') })).toBe(
      requestHash(req, { b: new Date('2027-01-01T00:00:00.000Z'), a: 1 }),
    );
    expect(requestHash(req, { a: 1 })).not.toBe(requestHash({ ...req, path: '/projects/2/tasks' }, { a: 1 }));
    expect(requestHash(req, { a: 1 })).not.toBe(requestHash(req, { a: 2 }));
  });

  it('idempotentRequest is undefined without a key', () => {
    expect(idempotentRequest(req, 'u', undefined, {})).toBeUndefined();
    expect(idempotentRequest(req, 'u', 'k', {})).toEqual({
      owner: 'u',
      key: 'k',
      requestHash: requestHash(req, {}),
    });
  });
});

describe('purgeExpiredIdempotencyKeys', () => {
  it('deletes the expired keys, keeps fresh ones, and says how many went', async () => {
    const { perform } = noteCreate(randomUUID());
    const [old, fresh] = [request(), request()];
    await idempotent(store, old, { ttlMs, perform });
    await idempotent(store, fresh, { ttlMs, perform });
    await pool.query(`UPDATE idempotency_keys SET created_at = now() - interval '2 hours' WHERE key = $1`, [
      old.key,
    ]);
    const logged: unknown[] = [];
    const purge = purgeExpiredIdempotencyKeys({ keys: store.repos.idempotency, ttlMs });
    expect(await purge({ info: (obj) => logged.push(obj) })).toBeGreaterThanOrEqual(1);
    expect(await store.repos.idempotency.find(old.owner, old.key)).toBeNull();
    expect(await store.repos.idempotency.find(fresh.owner, fresh.key)).not.toBeNull();
    expect(logged).toContainEqual({ count: expect.any(Number) });
  });
});
