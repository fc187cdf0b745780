import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, poolSql, type SqlRunner, type SqlStatement } from '../src/index.ts';
import { createScratchDatabase, type ScratchDatabase } from './helpers.ts';

const statement = (text: string, ...values: unknown[]): SqlStatement => ({ text, values });

/**
 * Stands in for an app's generated PrismaClient (which lives in the app): interactive transactions on a
 * real connection of the pool, and $queryRaw taking a statement, as Prisma's does with Prisma.sql.
 */
class PgTransactions {
  readonly pool: pg.Pool;
  constructor(pool: pg.Pool) {
    this.pool = pool;
  }
  async $transaction<T>(fn: (tx: PgTx) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(new PgTx(client));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK');
      throw err;
    } finally {
      client.release();
    }
  }
}
class PgTx {
  readonly client: pg.PoolClient;
  constructor(client: pg.PoolClient) {
    this.client = client;
  }
  async $queryRaw<T>(sql: SqlStatement): Promise<T> {
    return (await this.client.query(sql.text, sql.values as unknown[])).rows as T;
  }
}

// A repository as an app writes one: it runs its SQL on whatever runner the store gives it.
const counters = (sql: SqlRunner) => ({
  add: (name: string, by: number) =>
    sql.query(statement('UPDATE counters SET n = n + $2 WHERE name = $1', name, by)),
  lock: (name: string) => sql.query(statement('SELECT n FROM counters WHERE name = $1 FOR UPDATE', name)),
  get: async (name: string) =>
    (await sql.query<{ n: number }>(statement('SELECT n FROM counters WHERE name = $1', name)))[0]?.n,
});

let db: ScratchDatabase;
let pool: pg.Pool;
beforeAll(async () => {
  db = await createScratchDatabase('store');
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  await pool.query('CREATE TABLE counters (name text PRIMARY KEY, n int NOT NULL)');
});
afterAll(async () => {
  await pool.end();
  await db.drop();
});

describe('poolSql', () => {
  it('prepares each SQL text once under a name derived from it, and past the limit runs the rest unnamed', async () => {
    const single = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      const sql = poolSql(single, { maxPrepared: 1 });
      expect(await sql.query(statement('SELECT $1::int AS one', 1))).toEqual([{ one: 1 }]);
      expect(await sql.query(statement('SELECT $1::int AS one', 2))).toEqual([{ one: 2 }]);
      await sql.query(statement('SELECT $1::int AS two', 2));
      const { rows } = await single.query<{ name: string; statement: string }>(
        'SELECT name, statement FROM pg_prepared_statements',
      );
      expect(rows).toEqual([
        { name: expect.stringMatching(/^mini_[0-9a-f]{24}$/), statement: 'SELECT $1::int AS one' },
      ]);
    } finally {
      await single.end();
    }
  });
});

describe('createStore', () => {
  const store = () =>
    createStore({ prisma: new PgTransactions(pool), pool }, (_client, sql) => ({ counters: counters(sql) }));

  it('commits every write of a transaction together, and none when it throws', async () => {
    await pool.query("INSERT INTO counters VALUES ('a', 0), ('b', 0)");
    const { repos, transaction } = store();
    await transaction(async (tx) => {
      await tx.counters.add('a', 1);
      await tx.counters.add('b', 1);
    });
    const failed = transaction(async (tx) => {
      await tx.counters.add('a', 10);
      throw new Error('business rule refused');
    });
    await expect(failed).rejects.toThrow('business rule refused');
    expect([await repos.counters.get('a'), await repos.counters.get('b')]).toEqual([1, 1]);
  });

  it('when two transactions deadlock, the one Postgres rolls back is run again and both changes land', async () => {
    await pool.query("INSERT INTO counters VALUES ('x', 0), ('y', 0)");
    const { repos, transaction } = store();
    let runs = 0;
    const crossing = (first: string, second: string) =>
      transaction(async (tx) => {
        runs++;
        await tx.counters.lock(first);
        await new Promise((resolve) => setTimeout(resolve, 200));
        await tx.counters.lock(second);
        await tx.counters.add(first, 1);
      });
    await Promise.all([crossing('x', 'y'), crossing('y', 'x')]);
    expect(runs).toBe(3);
    expect([await repos.counters.get('x'), await repos.counters.get('y')]).toEqual([1, 1]);
  });
});
