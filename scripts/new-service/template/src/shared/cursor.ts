import { z } from 'zod';
import { ValidationError } from '@mini/http';

/**
 * Keyset pagination: a cursor holds the sort key and id of the last row of a page, and the next page starts
 * strictly after it, so rows inserted or deleted meanwhile never make a page skip or repeat one.
 *
 * A cursor is opaque to clients but not secret: anyone can decode and forge one. So a decoded cursor is
 * checked (an ISO date and a uuid) before any of it reaches a query; anything else is `422 invalid-cursor`,
 * never a 500. A forged cursor can only start the caller's own list at some position.
 */
export interface CursorPosition {
  createdAt: Date;
  id: string;
}

const positionSchema = z.object({ v: z.iso.datetime(), id: z.uuid() }).strict();

export const invalidCursor = () =>
  new ValidationError('The cursor is not valid for this list: pass back the nextCursor of its last page.', {
    code: 'invalid-cursor',
    errors: { cursor: ['Not a cursor of this list'] },
  });

export function encodeCursor(position: CursorPosition): string {
  const payload = { v: position.createdAt.toISOString(), id: position.id };
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

/** The position a cursor stands for, or null without a cursor (the first page). */
export function decodeCursor(cursor: string | undefined): CursorPosition | null {
  if (cursor === undefined) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  const position = positionSchema.safeParse(parsed);
  if (!position.success) throw invalidCursor();
  return { createdAt: new Date(position.data.v), id: position.data.id };
}

/** Fetch `limit + 1` rows: the extra one only tells whether there is a next page. */
export function page<T extends CursorPosition>(
  rows: T[],
  limit: number,
): { items: T[]; nextCursor: string | null } {
  if (rows.length <= limit) return { items: rows, nextCursor: null };
  const items = rows.slice(0, limit);
  return { items, nextCursor: encodeCursor(items[items.length - 1] as T) };
}
