import { z } from 'zod';

export const uuidSchema = z.uuid().meta({ example: '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60' });

/** `{ id: uuid }` for routes like `/projects/:id`. */
export const idParams = z.object({ id: uuidSchema }).strict();

/** `?limit=` (1..100, default 20) and an opaque `?cursor=` from the previous page. */
export const paginationQuery = z
  .object({
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(100)
      .default(20)
      .meta({ description: 'Page size (1 to 100).', example: 20 }),
    cursor: z
      .string()
      .min(1)
      .max(512)
      .optional()
      .meta({ description: 'The nextCursor of the previous page.' }),
  })
  .strict();

/** ISO-8601 timestamp with a `Z` or an offset, e.g. 2026-05-01T12:00:00Z. */
export const isoDateTime = z.iso.datetime({ offset: true }).meta({ example: '2026-05-01T12:00:00Z' });

// Trim first, then check the format: z.email().trim() would check before trimming.
export const emailSchema = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email())
  .meta({ format: 'email', example: 'ada@example.com' });

/** A trimmed string of 1..max characters ("   " is rejected). */
export function nonEmptyTrimmed(max: number) {
  return z.string().trim().min(1, { error: 'Must not be empty' }).max(max);
}

/** Query integer: `?page=2` -> 2 (query values arrive as strings). */
export function queryInt(options: { min?: number; max?: number } = {}) {
  return z.coerce
    .number({ error: 'Expected a whole number' })
    .int({ error: 'Expected a whole number' })
    .min(options.min ?? Number.MIN_SAFE_INTEGER)
    .max(options.max ?? Number.MAX_SAFE_INTEGER);
}

/** Query boolean: `true`/`false`/`1`/`0`. */
export function queryBoolean() {
  return z.stringbool({ truthy: ['true', '1'], falsy: ['false', '0'] }).meta({ type: 'boolean' });
}

/** Query list: `?tag=a&tag=b` or `?tag=a,b` -> ['a', 'b']. */
export function queryArray<T extends z.ZodType>(item: T) {
  return z.preprocess(
    (value) => (typeof value === 'string' ? value.split(',').filter((part) => part !== '') : value),
    z.array(item),
  );
}
