import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, MigrationError } from '../src/index.ts';
import { createScratchDatabase, query, writeMigrations, type ScratchDatabase } from './helpers.ts';

let db: ScratchDatabase;
let dir: string | undefined;

beforeEach(async () => {
  db = await createScratchDatabase('migrate');
});
afterEach(async () => {
  await db.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

interface Row {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  applied_steps_count: number;
  logs: string | null;
}

const rowsOf = (url: string) =>
  query<Row>(
    url,
    'SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count, logs FROM "_prisma_migrations" ORDER BY started_at, migration_name',
  );

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('migrate', () => {
  it('when migrations are pending, applies them in name order and records their sha256 checksums', async () => {
    dir = writeMigrations({
      '20260102000000_add_title': 'ALTER TABLE "notes" ADD COLUMN "title" TEXT NOT NULL;\n',
      '20260101000000_init': 'CREATE TABLE "notes" ("id" SERIAL PRIMARY KEY);\n',
    });

    const result = await migrate({ url: db.url, migrationsDir: dir });

    expect(result.applied).toEqual(['20260101000000_init', '20260102000000_add_title']);
    const rows = await rowsOf(db.url);
    expect(rows.map((r) => r.migration_name)).toEqual(result.applied);
    for (const row of rows) {
      expect(row.checksum).toBe(sha256(path.join(dir, row.migration_name, 'migration.sql')));
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
    const columns = await query<{ column_name: string }>(
      db.url,
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'notes' ORDER BY column_name",
    );
    expect(columns.map((c) => c.column_name)).toEqual(['id', 'title']);
  });

  it('when run again, applies nothing and only new migrations later', async () => {
    dir = writeMigrations({ '20260101000000_init': 'CREATE TABLE "a" ("id" INT);' });
    await migrate({ url: db.url, migrationsDir: dir });

    expect(await migrate({ url: db.url, migrationsDir: dir })).toEqual({ applied: [] });

    writeMigrations({ '20260103000000_b': 'CREATE TABLE "b" ("id" INT);' }, dir);
    expect(await migrate({ url: db.url, migrationsDir: dir })).toEqual({ applied: ['20260103000000_b'] });
    expect(await rowsOf(db.url)).toHaveLength(2);
  });

  it('when an applied migration was edited, refuses and names it', async () => {
    dir = writeMigrations({ '20260101000000_init': 'CREATE TABLE "a" ("id" INT);' });
    await migrate({ url: db.url, migrationsDir: dir });
    writeFileSync(path.join(dir, '20260101000000_init', 'migration.sql'), 'CREATE TABLE "a" ("id" BIGINT);');
    writeMigrations({ '20260102000000_next': 'CREATE TABLE "c" ("id" INT);' }, dir);

    const error = await migrate({ url: db.url, migrationsDir: dir }).catch((err: unknown) => err);

    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).migration).toBe('20260101000000_init');
    expect((error as Error).message).toMatch(/20260101000000_init was modified after it was applied/);
    // Nothing after the refusal ran.
    expect(await query(db.url, "SELECT 1 FROM pg_tables WHERE tablename = 'c'")).toHaveLength(0);
  });

  it('when a migration fails, rolls it back, records it as rolled back, reports it, and retries it once fixed', async () => {
    dir = writeMigrations({
      '20260101000000_ok': 'CREATE TABLE "ok" ("id" INT);',
      '20260102000000_broken': 'CREATE TABLE "half" ("id" INT);\nSELECT * FROM "no_such_table";',
    });

    const error = await migrate({ url: db.url, migrationsDir: dir }).catch((err: unknown) => err);

    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).migration).toBe('20260102000000_broken');
    expect((error as Error).message).toMatch(/failed and was rolled back: .*no_such_table/);
    expect(await query(db.url, "SELECT 1 FROM pg_tables WHERE tablename = 'half'")).toHaveLength(0);
    const rows = await rowsOf(db.url);
    expect(rows.map((r) => [r.migration_name, r.finished_at !== null, r.rolled_back_at !== null])).toEqual([
      ['20260101000000_ok', true, false],
      ['20260102000000_broken', false, true],
    ]);
    expect(rows[1]?.logs).toMatch(/no_such_table/);

    writeFileSync(
      path.join(dir, '20260102000000_broken', 'migration.sql'),
      'CREATE TABLE "half" ("id" INT);',
    );
    expect(await migrate({ url: db.url, migrationsDir: dir })).toEqual({
      applied: ['20260102000000_broken'],
    });
  });

  it('when a failure left by prisma migrate was never resolved, refuses to continue', async () => {
    dir = writeMigrations({ '20260101000000_init': 'CREATE TABLE "a" ("id" INT);' });
    await migrate({ url: db.url, migrationsDir: dir });
    await query(
      db.url,
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, applied_steps_count) VALUES ('x', 'y', '20260102000000_failed', 0)`,
    );

    await expect(migrate({ url: db.url, migrationsDir: dir })).rejects.toThrow(
      /20260102000000_failed failed earlier and is not marked as rolled back/,
    );
  });

  it('when two processes migrate at the same time, each migration is applied exactly once', async () => {
    dir = writeMigrations({
      '20260101000000_slow': 'SELECT pg_sleep(0.3);\nCREATE TABLE "a" ("id" INT);',
      '20260102000000_b': 'CREATE TABLE "b" ("id" INT);',
    });

    const [first, second] = await Promise.all([
      migrate({ url: db.url, migrationsDir: dir }),
      migrate({ url: db.url, migrationsDir: dir }),
    ]);

    expect([...first.applied, ...second.applied].sort()).toEqual(['20260101000000_slow', '20260102000000_b']);
    expect([first.applied.length, second.applied.length].sort()).toEqual([0, 2]);
    expect(await rowsOf(db.url)).toHaveLength(2);
  });

  it('when the URL sets a statement_timeout shorter than a migration, the migration still runs to the end', async () => {
    // A service's URL may carry its request timeout (options=-c statement_timeout=...); a migration is no request.
    const url = new URL(db.url);
    url.searchParams.set('options', '-c statement_timeout=100');
    dir = writeMigrations({
      '20260101000000_slow': 'SELECT pg_sleep(0.5);\nCREATE TABLE "slow" ("id" INT);',
    });

    expect(await migrate({ url: url.toString(), migrationsDir: dir })).toEqual({
      applied: ['20260101000000_slow'],
    });
  });
});
