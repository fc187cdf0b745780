import type { DbClient } from '../db.ts';

export function createRevocationOutboxRepository(prisma: DbClient) {
  return {
    /**
     * Queues ended sessions for the Redis revocation list. Call it in the transaction that ends them: the
     * session change and its queue entry commit together or not at all, so no logout can be recorded
     * without also being queued for the other services.
     */
    async enqueue(sessionIds: readonly string[]): Promise<void> {
      if (sessionIds.length === 0) return;
      await prisma.revocationOutbox.createMany({
        data: sessionIds.map((sessionId) => ({ sessionId })),
        skipDuplicates: true,
      });
    },

    /**
     * Takes up to `limit` queued sessions (oldest first), locked until the caller's transaction ends.
     * `FOR UPDATE SKIP LOCKED`: several auth processes drain the same table, each takes rows no other one
     * holds right now, so none waits for another and no row is published twice at the same time.
     */
    async take(limit: number): Promise<string[]> {
      const rows = await prisma.$queryRaw<{ session_id: string }[]>`
        SELECT session_id FROM revocation_outbox
        ORDER BY created_at
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED`;
      return rows.map((row) => row.session_id);
    },

    async remove(sessionIds: readonly string[]): Promise<void> {
      await prisma.revocationOutbox.deleteMany({ where: { sessionId: { in: [...sessionIds] } } });
    },

    /**
     * Deletes queued sessions ended before `before` without publishing them: once every access token of a
     * session has expired, its revocation entry has nothing left to stop. Rows another process is
     * publishing right now are left to it.
     */
    async pruneQueuedBefore(before: Date): Promise<number> {
      return prisma.$executeRaw`
        DELETE FROM revocation_outbox WHERE session_id IN (
          SELECT session_id FROM revocation_outbox WHERE created_at < ${before}
          FOR UPDATE SKIP LOCKED
        )`;
    },
  };
}

export type RevocationOutboxRepository = ReturnType<typeof createRevocationOutboxRepository>;
