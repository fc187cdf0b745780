/**
 * JSON with object keys sorted at every level (dates as ISO strings, undefined members left out), so two
 * values that mean the same thing serialise to the same text whatever order their keys were written in.
 * Used for hashes: the Idempotency-Key's request hash and the query a cursor belongs to.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, member]) => member !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, member]) => [key, sortKeys(member)]),
  );
}
