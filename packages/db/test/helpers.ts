import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import {
  bootstrapServiceDatabase,
  dropServiceDatabase,
  serviceUrl,
  type ServiceDatabase,
} from '../src/index.ts';

export const adminUrl = inject('adminUrl');

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

export interface ScratchDatabase extends ServiceDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A throw-away service database and role, made by the same bootstrap the services use. */
export async function createScratchDatabase(prefix = 'dbtest'): Promise<ScratchDatabase> {
  const name = uniqueName(prefix);
  const service = { role: name, database: name, password: randomBytes(12).toString('hex') };
  await bootstrapServiceDatabase(adminUrl, service);
  return {
    ...service,
    url: serviceUrl(adminUrl, service),
    drop: () => dropServiceDatabase(adminUrl, service),
  };
}

export async function query<R extends pg.QueryResultRow>(
  url: string,
  sql: string,
  values: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, values)).rows;
  } finally {
    await client.end();
  }
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
