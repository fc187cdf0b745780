import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { inject } from 'vitest';
import { createScratchDatabase as create, withClient, type ScratchDatabase } from '@mini/dev-db';

export type { ScratchDatabase };

export const adminUrl = inject('adminUrl');

/** A throw-away service database and role, made by the same bootstrap the services use. */
export function createScratchDatabase(prefix = 'dbtest'): Promise<ScratchDatabase> {
  return create(adminUrl, prefix);
}

export function query<R extends pg.QueryResultRow>(
  url: string,
  sql: string,
  values: unknown[] = [],
): Promise<R[]> {
  return withClient(url, async (client) => (await client.query<R>(sql, values)).rows);
}

/** Writes a migrations folder in Prisma's layout: <dir>/<name>/migration.sql. */
export function writeMigrations(
  migrations: Record<string, string>,
  dir = mkdtempSync(path.join(os.tmpdir(), 'migrations-')),
): string {
  for (const [name, sql] of Object.entries(migrations)) {
    mkdirSync(path.join(dir, name), { recursive: true });
    writeFileSync(path.join(dir, name, 'migration.sql'), sql);
  }
  return dir;
}
