import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { withClient } from '@mini/dev-db';
import { setupServiceTestDatabase } from '../src/index.ts';

async function query<R extends Record<string, unknown>>(url: string, sql: string): Promise<R[]> {
  return withClient(url, async (client) => (await client.query<R>(sql)).rows);
}

describe('serviceGlobalSetup', () => {
  it("provides a migrated database that belongs to the run's own role", async () => {
    const [who] = await query<{ user: string; db: string }>(
      inject('databaseUrl'),
      'SELECT current_user AS user, current_database() AS db',
    );
    expect(who?.user).toMatch(/^testing_test_\d{8}t\d{6}_\d+_[0-9a-f]{6}_[0-9a-f]{4}$/);
    expect(who?.db).toBe(who?.user);
    const notes = await query<{ body: string }>(
      inject('databaseUrl'),
      "INSERT INTO notes (body) VALUES ('hello') RETURNING body",
    );
    expect(notes).toEqual([{ body: 'hello' }]);
  });
});

describe('setupServiceTestDatabase', () => {
  it('when torn down, the database and its role are gone', async () => {
    const migrationsDir = mkdtempSync(path.join(os.tmpdir(), 'migrations-'));
    mkdirSync(path.join(migrationsDir, '20260101000000_init'));
    writeFileSync(
      path.join(migrationsDir, '20260101000000_init', 'migration.sql'),
      'CREATE TABLE t (id INT);',
    );
    try {
      const { databaseUrl, teardown } = await setupServiceTestDatabase({
        service: 'teardown',
        migrationsDir,
      });
      const [who] = await query<{ user: string }>(databaseUrl, 'SELECT current_user AS user');
      expect(await query(databaseUrl, "SELECT 1 FROM pg_tables WHERE tablename = 't'")).toHaveLength(1);

      await teardown();

      const error = await query(databaseUrl, 'SELECT 1').catch((err: unknown) => err);
      // The role went first or together with the database: either way nobody can log in as it.
      expect((error as Error).message).toMatch(
        new RegExp(`${who?.user}.*does not exist|authentication failed`),
      );
    } finally {
      rmSync(migrationsDir, { recursive: true, force: true });
    }
  });

  it('when a migration fails, cleans up and reports the migration', async () => {
    const migrationsDir = mkdtempSync(path.join(os.tmpdir(), 'migrations-'));
    mkdirSync(path.join(migrationsDir, '20260101000000_bad'));
    writeFileSync(path.join(migrationsDir, '20260101000000_bad', 'migration.sql'), 'CREATE TABLE (;');
    try {
      await expect(setupServiceTestDatabase({ service: 'broken', migrationsDir })).rejects.toThrow(
        /20260101000000_bad failed/,
      );
    } finally {
      rmSync(migrationsDir, { recursive: true, force: true });
    }
  });
});
