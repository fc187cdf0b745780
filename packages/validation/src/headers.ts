import { z } from 'zod';

/**
 * Request and response header schemas shared by every service, so that `Idempotency-Key`, `If-Match` and
 * `ETag` read and are documented alike everywhere. Use them as members of a route's `headers` object:
 * `headers: z.object({ 'Idempotency-Key': idempotencyKeyHeader })`.
 */

/** 1 to 255 visible ASCII characters (a UUID is usual); optional: without it a POST is not idempotent. */
export const idempotencyKeyHeader = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, { error: 'Expected 1 to 255 visible ASCII characters, e.g. a UUID' })
  .optional()
  .meta({
    description: 'Makes a retried create safe: the same key and body replay the first answer for 24 hours.',
    example: '1b4e28ba-2fa1-11d2-883f-0016d3cca427',
  });

// Any value is accepted: a weak or malformed tag is not an error but a precondition that never holds
// (412), because If-Match compares strongly (see @mini/http's checkIfMatch).
export const ifMatchHeader = z.string().optional().meta({
  description: 'The ETag of the version you read; a stale one is refused with 412. `*` matches any version.',
  example: '"3"',
});

export const ifNoneMatchHeader = z.string().optional().meta({
  description: 'The ETag you hold; if the resource is unchanged, the answer is 304 with no body.',
  example: '"3"',
});

/** The `ETag` response header, for a route's `responses[status].headers`. */
export const etagResponseHeader = {
  description: 'The version of the resource, for If-Match.',
  schema: z.string().meta({ example: '"3"' }),
};
