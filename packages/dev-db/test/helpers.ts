import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { createScratchDatabase as create, type ScratchDatabase } from '../src/index.ts';

export type { ScratchDatabase };

export const adminUrl = inject('adminUrl');

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

export function createScratchDatabase(prefix = 'devdbtest'): Promise<ScratchDatabase> {
  return create(adminUrl, prefix);
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
