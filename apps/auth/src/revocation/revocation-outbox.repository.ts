import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';

/**
 * Queues ended sessions for the Redis revocation list. Called by the sessions repository inside the
 * transaction that ends them: the session change and its queue entry commit together or not at all, so no
 * logout can be recorded without also being queued for the other services.
 */
export async function enqueueRevocations(
  tx: Prisma.TransactionClient,
  sessionIds: readonly string[],
): Promise<void> {
  if (sessionIds.length === 0) return;
  await tx.revocationOutbox.createMany({
    data: sessionIds.map((sessionId) => ({ sessionId })),
    skipDuplicates: true,
  });
}

export function createRevocationOutboxRepository(prisma: PrismaClient) {
  return {
    /**
     * Takes up to `limit` queued sessions (oldest first), hands their ids to `publish`, and deletes them once
     * it resolves, all in one transaction: if `publish` throws, nothing is deleted and they stay queued.
     * `FOR UPDATE SKIP LOCKED`: several auth processes drain the same table, each takes rows no other one
     * holds right now, so none waits for another and no row is published twice at the same time.
     * Returns how many were published.
     */
    async publishBatch(limit: number, publish: (sessionIds: string[]) => Promise<void>): Promise<number> {
      return prisma.$transaction(async (tx) => {
        const rows = await tx.$queryRaw<{ session_id: string }[]>`
          SELECT session_id FROM revocation_outbox
          ORDER BY created_at
          LIMIT ${limit}
          FOR UPDATE SKIP LOCKED`;
        if (rows.length === 0) return 0;
        const ids = rows.map((row) => row.session_id);
        await publish(ids);
        await tx.revocationOutbox.deleteMany({ where: { sessionId: { in: ids } } });
        return ids.length;
      });
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
