import type { DbClient } from '../db.ts';

export interface SessionRecord {
  id: string;
  userId: string;
  userAgent: string | null;
  ip: string | null;
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  revokeReason: string | null;
}

export interface NewSession {
  userId: string;
  userAgent: string | null;
  ip: string | null;
  expiresAt: Date;
  refreshTokenHash: string;
  refreshTokenExpiresAt: Date;
}

export interface PresentedRefreshToken {
  id: string;
  spentAt: Date | null;
  expiresAt: Date;
  session: SessionRecord;
}

/** Why a session ended, kept on the row for audits and the security log. */
export type RevokeReason =
  | 'logout'
  | 'logout-all'
  | 'ended-by-user'
  | 'refresh-token-reuse'
  | 'password-changed'
  | 'password-reset'
  | 'account-disabled'
  | 'role-changed'
  | 'session-limit';

const sessionColumns = {
  id: true,
  userId: true,
  userAgent: true,
  ip: true,
  createdAt: true,
  lastUsedAt: true,
  expiresAt: true,
  revokedAt: true,
  revokeReason: true,
} as const;

export function createSessionsRepository(prisma: DbClient) {
  return {
    create(session: NewSession): Promise<SessionRecord> {
      return prisma.session.create({
        data: {
          userId: session.userId,
          userAgent: session.userAgent,
          ip: session.ip,
          expiresAt: session.expiresAt,
          refreshTokens: {
            create: { tokenHash: session.refreshTokenHash, expiresAt: session.refreshTokenExpiresAt },
          },
        },
        select: sessionColumns,
      });
    },

    findRefreshToken(tokenHash: string): Promise<PresentedRefreshToken | null> {
      return prisma.refreshToken.findUnique({
        where: { tokenHash },
        select: { id: true, spentAt: true, expiresAt: true, session: { select: sessionColumns } },
      });
    },

    /**
     * Spends a refresh token; false when it was already spent. The conditional update is the guard: of two
     * requests racing with the same token, exactly one sees `spentAt IS NULL`.
     */
    async spendRefreshToken(tokenId: string, at: Date): Promise<boolean> {
      const spent = await prisma.refreshToken.updateMany({
        where: { id: tokenId, spentAt: null },
        data: { spentAt: at },
      });
      return spent.count === 1;
    },

    /** The successor of a spent refresh token; the session counts as used now. */
    async addRefreshToken(
      sessionId: string,
      next: { tokenHash: string; expiresAt: Date },
      at: Date,
    ): Promise<void> {
      await prisma.refreshToken.create({
        data: { sessionId, tokenHash: next.tokenHash, expiresAt: next.expiresAt },
      });
      await prisma.session.update({ where: { id: sessionId }, data: { lastUsedAt: at } });
    },

    /** The hot path of every authenticated request to this service: one primary-key look-up. */
    async isActive(id: string): Promise<boolean> {
      const session = await prisma.session.findUnique({
        where: { id },
        select: { revokedAt: true, expiresAt: true },
      });
      return session !== null && session.revokedAt === null && session.expiresAt > new Date();
    },

    listActive(userId: string): Promise<SessionRecord[]> {
      return prisma.session.findMany({
        where: { userId, revokedAt: null, expiresAt: { gt: new Date() } },
        select: sessionColumns,
        orderBy: [{ lastUsedAt: 'desc' }, { id: 'asc' }],
      });
    },

    // Ending sessions must also queue them for the other services (the revocation outbox), in the same
    // transaction: the sessions service does both through the store, so no session ends unqueued.

    /** Ends one session; false when it was not active (already ended, or never existed). */
    async end(id: string, reason: RevokeReason, ownerId?: string): Promise<boolean> {
      const result = await prisma.session.updateMany({
        where: { id, revokedAt: null, ...(ownerId === undefined ? {} : { userId: ownerId }) },
        data: { revokedAt: new Date(), revokeReason: reason },
      });
      return result.count > 0;
    },

    /** Ends every active session of a user (but `exceptId`); returns the ids it ended. */
    async endAllOfUser(userId: string, reason: RevokeReason, exceptId?: string): Promise<string[]> {
      const where = {
        userId,
        revokedAt: null,
        expiresAt: { gt: new Date() },
        ...(exceptId === undefined ? {} : { id: { not: exceptId } }),
      };
      const ids = (await prisma.session.findMany({ where, select: { id: true } })).map((s) => s.id);
      if (ids.length > 0) {
        await prisma.session.updateMany({
          where: { id: { in: ids }, revokedAt: null },
          data: { revokedAt: new Date(), revokeReason: reason },
        });
      }
      return ids;
    },

    /**
     * Ends the user's active sessions beyond the `keep` most recently used (and queues them); returns the
     * ids it ended. Called after each sign-in, so sessions cannot pile up on one account.
     */
    async revokeBeyondLimit(userId: string, keep: number): Promise<string[]> {
      // Every sign-in runs this: one statement (a data-modifying CTE is atomic) instead of a transaction.
      const rows = await prisma.$queryRaw<{ id: string }[]>`
        WITH ended AS (
          UPDATE sessions SET revoked_at = now(), revoke_reason = 'session-limit'
          WHERE revoked_at IS NULL AND id IN (
            SELECT id FROM sessions
            WHERE user_id = ${userId}::uuid AND revoked_at IS NULL AND expires_at > now()
            ORDER BY last_used_at DESC, created_at DESC, id DESC
            OFFSET ${keep}
          )
          RETURNING id
        ), queued AS (
          INSERT INTO revocation_outbox (session_id) SELECT id FROM ended ON CONFLICT DO NOTHING
        )
        SELECT id FROM ended`;
      return rows.map((row) => row.id);
    },

    /**
     * Deletes sessions (and, by cascade, their spent refresh tokens) that ended before `before`:
     * this is what keeps refresh tokens from piling up.
     */
    async purgeEndedBefore(before: Date): Promise<number> {
      const result = await prisma.session.deleteMany({
        where: { OR: [{ expiresAt: { lt: before } }, { revokedAt: { lt: before } }] },
      });
      return result.count;
    },
  };
}

export type SessionsRepository = ReturnType<typeof createSessionsRepository>;
