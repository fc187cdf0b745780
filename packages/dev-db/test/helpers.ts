import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { inject } from 'vitest';
import { createScratchDatabase as create, withClient, type ScratchDatabase } from '../src/index.ts';

export type { ScratchDatabase };

export const adminUrl = inject('adminUrl');

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

export function createScratchDatabase(prefix = 'devdbtest'): Promise<ScratchDatabase> {
  return create(adminUrl, prefix);
}

export function query<R extends pg.QueryResultRow>(
  url: string,
  sql: string,
  values: unknown[] = [],
): Promise<R[]> {
  return withClient(url, async (client) => (await client.query<R>(sql, values)).rows);
}
