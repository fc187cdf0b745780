import { ValidationError } from '@mini/http';

/**
 * Keyset pagination cursors. A cursor holds the sort key and id of the last row of a page, so the next
 * page starts strictly after it: rows inserted or deleted meanwhile never make a page skip or repeat one,
 * which offset pagination cannot promise. The cursor also names the sort it was made for; using it with
 * another sort would silently return the wrong rows, so that is refused.
 */
export interface CursorPayload {
  /** Sort the cursor belongs to, e.g. "due:asc". */
  s: string;
  /** Sort key value of the last row (null for a null due date). */
  v: string | number | null;
  /** Id of the last row (a UUID, or a sequence number): the tie-break that makes the order total. */
  id: string;
}

export function encodeCursor(payload: CursorPayload): string {
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

const invalid = () =>
  new ValidationError('The cursor is not valid for this list.', { errors: { cursor: ['Invalid cursor'] } });

export function decodeCursor(cursor: string, sort: string): CursorPayload {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalid();
  const { s, v, id } = parsed as Record<string, unknown>;
  const validValue = v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
  if (s !== sort || !validValue || typeof id !== 'string' || !/^[0-9a-f-]{1,36}$/i.test(id)) throw invalid();
  return { s, v: v as CursorPayload['v'], id };
}

/** Fetch `limit + 1` rows; the extra one only tells whether there is a next page. */
export function page<T>(
  rows: T[],
  limit: number,
  cursorOf: (last: T) => CursorPayload,
): { items: T[]; nextCursor: string | null } {
  if (rows.length <= limit) return { items: rows, nextCursor: null };
  const items = rows.slice(0, limit);
  return { items, nextCursor: encodeCursor(cursorOf(items[items.length - 1] as T)) };
}
