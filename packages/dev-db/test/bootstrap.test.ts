import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { bootstrapServiceDatabase, dropServiceDatabase, renderBootstrap, serviceUrl } from '../src/index.ts';
import { adminUrl, createScratchDatabase, query, uniqueName, type ScratchDatabase } from './helpers.ts';

const cleanup: ScratchDatabase[] = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((db) => db.drop()));
});

async function scratch(): Promise<ScratchDatabase> {
  const db = await createScratchDatabase('boot');
  cleanup.push(db);
  return db;
}

describe('bootstrapServiceDatabase', () => {
  it('creates a login role and a database that the role owns and can build tables in', async () => {
    const db = await scratch();

    const [owner] = await query<{ owner: string }>(
      adminUrl,
      'SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1',
      [db.database],
    );
    expect(owner?.owner).toBe(db.role);
    await query(db.url, 'CREATE TABLE t (id INT)');
    const [who] = await query<{ user: string; db: string }>(
      db.url,
      'SELECT current_user AS user, current_database() AS db',
    );
    expect(who).toEqual({ user: db.role, db: db.database });
  });

  it('when run again for the same service, succeeds and keeps the existing data', async () => {
    const db = await scratch();
    await query(db.url, 'CREATE TABLE kept (id INT)');

    await bootstrapServiceDatabase(adminUrl, db);

    expect(await query(db.url, "SELECT 1 FROM pg_tables WHERE tablename = 'kept'")).toHaveLength(1);
  });

  it("when a service's role connects to another service's database, it is refused", async () => {
    const mine = await scratch();
    const theirs = await scratch();

    const error = await query(serviceUrl(adminUrl, { ...mine, database: theirs.database }), 'SELECT 1').catch(
      (err: unknown) => err,
    );

    expect((error as { code?: string }).code).toBe('42501');
    expect((error as Error).message).toMatch(/permission denied for database/);
  });

  it('when names and passwords hold quotes and semicolons, they stay single values', async () => {
    const name = `${uniqueName('odd')}"; DROP ROLE postgres; -- it's`;
    const service = { role: name, database: name, password: "it's; a pass" };
    try {
      await bootstrapServiceDatabase(adminUrl, service);
      const [who] = await query<{ user: string }>(
        serviceUrl(adminUrl, service),
        'SELECT current_user AS user',
      );
      expect(who?.user).toBe(name);
    } finally {
      await dropServiceDatabase(adminUrl, service);
    }
    expect(await query(adminUrl, 'SELECT 1 FROM pg_roles WHERE rolname = $1', [name])).toHaveLength(0);
  });
});

describe('dropServiceDatabase', () => {
  it('when sessions are still connected, drops the database and the role anyway', async () => {
    const db = await createScratchDatabase('drop');
    const client = new pg.Client({ connectionString: db.url });
    client.on('error', () => {});
    await client.connect();

    await dropServiceDatabase(adminUrl, db);

    expect(await query(adminUrl, 'SELECT 1 FROM pg_database WHERE datname = $1', [db.database])).toHaveLength(
      0,
    );
    expect(await query(adminUrl, 'SELECT 1 FROM pg_roles WHERE rolname = $1', [db.role])).toHaveLength(0);
    await client.end().catch(() => {});
  });
});

describe('renderBootstrap', () => {
  it('fills psql variables as a quoted identifier or a quoted literal, one statement each', () => {
    expect(
      renderBootstrap(`-- note\nCREATE ROLE :"role" PASSWORD :'password';\nSELECT 1::int;\n`, {
        role: 'a"b',
        password: "x'y",
      }),
    ).toEqual([`CREATE ROLE "a""b" PASSWORD 'x''y'`, 'SELECT 1::int']);
  });

  it('when the file uses a variable nobody set, says which', () => {
    expect(() => renderBootstrap('CREATE DATABASE :"nope";', {})).toThrow(/:"nope"/);
  });
});

describe('serviceUrl', () => {
  it("keeps the admin URL's host, port and parameters and swaps in the service's credentials", () => {
    expect(
      serviceUrl('postgres://postgres:postgres@127.0.0.1:54329/postgres?sslmode=disable', {
        role: 'auth',
        password: 'p@ss:word/',
        database: 'auth',
      }),
    ).toBe('postgres://auth:p%40ss%3Aword%2F@127.0.0.1:54329/auth?sslmode=disable');
  });
});
