/**
 * What the repository runs on: an app's Prisma client or the client of an open transaction (any service's
 * generated client has these two), so the key is claimed in the same transaction as the work it guards.
 * The SQL is plain and every value a bound parameter: the package cannot know a service's Prisma models.
 */
export interface RawSqlClient {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): PromiseLike<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): PromiseLike<number>;
}

export interface StoredAnswer {
  requestHash: string;
  status: number;
  body: unknown;
}

/** The `idempotency_keys` table (this package's migration). `owner` is the caller's user id (a uuid). */
export function idempotencyKeys(db: RawSqlClient) {
  return {
    /**
     * Claims the key; false when it is taken. A concurrent request holding the same key (not committed yet)
     * makes this wait until it ends: committed, the key is taken (false); rolled back, the claim succeeds.
     * ON CONFLICT DO NOTHING leaves the transaction usable either way (a failed INSERT would abort it).
     */
    async claim(owner: string, key: string, requestHash: string): Promise<boolean> {
      const claimed = await db.$executeRawUnsafe(
        `INSERT INTO idempotency_keys (user_id, key, request_hash, response_status, response_body)
         VALUES ($1::uuid, $2, $3, 0, 'null'::jsonb) ON CONFLICT DO NOTHING`,
        owner,
        key,
        requestHash,
      );
      return claimed === 1;
    },

    async saveAnswer(owner: string, key: string, status: number, body: unknown): Promise<void> {
      await db.$executeRawUnsafe(
        `UPDATE idempotency_keys SET response_status = $3, response_body = $4::jsonb
         WHERE user_id = $1::uuid AND key = $2`,
        owner,
        key,
        status,
        JSON.stringify(body ?? null),
      );
    },

    async find(owner: string, key: string): Promise<StoredAnswer | null> {
      const rows = await db.$queryRawUnsafe<Array<{ request_hash: string; status: number; body: string }>>(
        `SELECT request_hash, response_status AS status, response_body::text AS body
         FROM idempotency_keys WHERE user_id = $1::uuid AND key = $2`,
        owner,
        key,
      );
      const row = rows[0];
      return row ? { requestHash: row.request_hash, status: row.status, body: JSON.parse(row.body) } : null;
    },

    /** An expired key is free again: forget its old answer (before claiming it anew). */
    async deleteIfOlderThan(owner: string, key: string, cutoff: Date): Promise<void> {
      await db.$executeRawUnsafe(
        `DELETE FROM idempotency_keys WHERE user_id = $1::uuid AND key = $2 AND created_at < $3::timestamptz`,
        owner,
        key,
        cutoff.toISOString(),
      );
    },

    async purgeOlderThan(cutoff: Date): Promise<number> {
      return db.$executeRawUnsafe(
        `DELETE FROM idempotency_keys WHERE created_at < $1::timestamptz`,
        cutoff.toISOString(),
      );
    },
  };
}

export type IdempotencyKeys = ReturnType<typeof idempotencyKeys>;
