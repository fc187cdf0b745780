import { isUniqueViolation } from '@mini/db';
import type { DbClient } from '../db.ts';
import { Prisma } from '../generated/prisma/client.ts';

interface StoredResponse {
  requestHash: string;
  /** The answer's body (always that of a 201: only successful creates are stored). */
  body: unknown;
}

export function idempotencyRepository(db: DbClient) {
  return {
    /**
     * Claims the key inside the caller's transaction. A concurrent request with the same key blocks on
     * the primary key until this transaction ends, then fails with a unique violation: returns false.
     */
    async claim(userId: string, key: string, requestHash: string): Promise<boolean> {
      try {
        await db.idempotencyKey.create({
          data: { userId, key, requestHash, responseStatus: 0, responseBody: Prisma.JsonNull },
        });
        return true;
      } catch (err) {
        if (isUniqueViolation(err)) return false;
        throw err;
      }
    },

    async saveResponse(userId: string, key: string, status: number, body: unknown): Promise<void> {
      await db.idempotencyKey.update({
        where: { userId_key: { userId, key } },
        data: { responseStatus: status, responseBody: body as Prisma.InputJsonValue },
      });
    },

    async find(userId: string, key: string): Promise<StoredResponse | null> {
      const row = await db.idempotencyKey.findUnique({ where: { userId_key: { userId, key } } });
      return row ? { requestHash: row.requestHash, body: row.responseBody } : null;
    },

    async deleteIfOlderThan(userId: string, key: string, cutoff: Date): Promise<void> {
      await db.idempotencyKey.deleteMany({ where: { userId, key, createdAt: { lt: cutoff } } });
    },

    async purgeOlderThan(cutoff: Date): Promise<number> {
      const { count } = await db.idempotencyKey.deleteMany({ where: { createdAt: { lt: cutoff } } });
      return count;
    },
  };
}
