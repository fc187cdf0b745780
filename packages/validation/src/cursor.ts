import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ValidationError } from '@mini/http';
import { canonicalJson } from './canonical-json.ts';

/**
 * Keyset pagination cursors. A cursor holds the sort key and id of the last row of a page, so the next
 * page starts strictly after it: rows inserted or deleted meanwhile never make a page skip or repeat one,
 * which offset pagination cannot promise.
 *
 * A cursor is opaque to clients but not secret: anyone can decode and forge one. So every decoded cursor
 * is checked against its list's schemas (a uuid id, an ISO date, an enum value ...) before any of it
 * reaches SQL, and it carries a short hash of the list it was made for (sort, order, filters, scope):
 * used with another sort, other filters or another project it would silently return the wrong rows, so
 * that is refused. Both are `422 invalid-cursor`, never a 500. (The hash is not a signature and needs
 * none: a forged cursor can only start a list the caller may read anyway at some valid position.)
 */
export interface CursorSpec<V> {
  /** Everything that shapes the list besides the position in it: sort, order, filters, scope. */
  list: unknown;
  /** The sort key value of the last row. */
  value: z.ZodType<V>;
  /** The id of the last row (the tie-break). */
  id: z.ZodType<string>;
}

export interface CursorPosition<V> {
  v: V;
  id: string;
}

/** An ISO-8601 UTC timestamp as toISOString() writes it, that is a real date. */
export const cursorDate = z.iso
  .datetime()
  .refine((value) => !Number.isNaN(Date.parse(value)), { error: 'Not a real date' });

/** Text compared in SQL: Postgres text cannot hold NUL. */
export const cursorText = z
  .string()
  .max(1_000)
  .refine((value) => !value.includes('\u0000'), { error: 'NUL is not text' });

/** A bigint identity as a digit string (fits in a signed 64-bit integer). */
export const cursorSequence = z.string().regex(/^[1-9]\d{0,17}$|^0$/);

export const cursorUuid = z.uuid();

const payloadSchema = z
  .object({
    /** Hash of the list the cursor belongs to. */
    l: z.string(),
    v: z.unknown(),
    id: z.unknown(),
  })
  .strict();

function listHash(list: unknown): string {
  return createHash('sha256').update(canonicalJson(list)).digest('base64url').slice(0, 16);
}

/** The 422 of a cursor that is not one of this list's (exported for a route's documented problems). */
export const invalidCursor = (reason = 'Not a cursor') =>
  new ValidationError('The cursor is not valid for this list: pass back the nextCursor of its last page.', {
    code: 'invalid-cursor',
    errors: { cursor: [reason] },
  });

export function encodeCursor<V>(spec: CursorSpec<V>, position: CursorPosition<V>): string {
  const payload = { l: listHash(spec.list), v: position.v, id: position.id };
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

export function decodeCursor<V>(cursor: string, spec: CursorSpec<V>): CursorPosition<V> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor('Not a cursor');
  }
  const payload = payloadSchema.safeParse(parsed);
  if (!payload.success) throw invalidCursor('Not a cursor');
  if (payload.data.l !== listHash(spec.list)) {
    throw invalidCursor('Made for another list: use it with the same sort, order and filters');
  }
  const v = spec.value.safeParse(payload.data.v);
  const id = spec.id.safeParse(payload.data.id);
  if (!v.success || !id.success) throw invalidCursor('Not a cursor of this list');
  return { v: v.data, id: id.data };
}

/** Decodes `cursor` when there is one: where the page starts (strictly after), or null for the first page. */
export function startAfter<V>(cursor: string | undefined, spec: CursorSpec<V>): CursorPosition<V> | null {
  return cursor === undefined ? null : decodeCursor(cursor, spec);
}

/**
 * One page from `limit + 1` fetched rows: the extra row only tells whether there is a next page, and the
 * next cursor points after the page's last row.
 */
export function keysetPage<T, V>(
  rows: T[],
  limit: number,
  spec: CursorSpec<V>,
  positionOf: (last: T) => CursorPosition<V>,
): { items: T[]; nextCursor: string | null } {
  if (rows.length <= limit) return { items: rows, nextCursor: null };
  const items = rows.slice(0, limit);
  return { items, nextCursor: encodeCursor(spec, positionOf(items[items.length - 1] as T)) };
}

/** `{ items, nextCursor }`: the answer of a keyset-paged list, with the item's example as a one-item page. */
export function cursorPageSchema<T extends z.ZodType>(item: T, id: string) {
  const itemExample = item.meta()?.example;
  return z
    .object({
      items: z.array(item),
      nextCursor: z.string().nullable().meta({
        description: 'Pass as `cursor` to get the next page; null on the last page.',
        example: null,
      }),
    })
    .meta({
      id,
      example: {
        items: itemExample === undefined ? [] : [itemExample],
        nextCursor: 'eyJsIjoiM3h2bkZRT2VfVmRCcE1nUyIsInYiOjEwMjQsImlkIjoiMGIxYzJkM2UifQ',
      },
    });
}
