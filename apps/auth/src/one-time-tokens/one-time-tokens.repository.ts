import type { DbClient } from '../db.ts';

export type OneTimeTokenPurpose = 'verify_email' | 'reset_password';

export function createOneTimeTokensRepository(prisma: DbClient) {
  return {
    /** Voids the user's unused tokens of a purpose (a password change voids reset links). */
    async voidUnused(userId: string, purpose: OneTimeTokenPurpose): Promise<void> {
      await prisma.oneTimeToken.updateMany({
        where: { userId, purpose, usedAt: null },
        data: { usedAt: new Date() },
      });
    },

    /** Stores a new token (its service voids the earlier ones in the same transaction: only the latest link works). */
    async create(token: {
      userId: string;
      purpose: OneTimeTokenPurpose;
      tokenHash: string;
      expiresAt: Date;
    }): Promise<void> {
      await prisma.oneTimeToken.create({ data: token });
    },

    /** The token's user when it is usable now (unknown, used and expired tokens give null); spends nothing. */
    async peek(tokenHash: string, purpose: OneTimeTokenPurpose): Promise<string | null> {
      const found = await prisma.oneTimeToken.findUnique({
        where: { tokenHash },
        select: { userId: true, purpose: true, usedAt: true, expiresAt: true },
      });
      if (!found || found.purpose !== purpose || found.usedAt || found.expiresAt <= new Date()) return null;
      return found.userId;
    },

    /**
     * Marks a token used and returns its user, or null when it is unknown, expired, already used or for
     * another purpose. One conditional update: two concurrent uses cannot both succeed.
     */
    async consume(tokenHash: string, purpose: OneTimeTokenPurpose): Promise<string | null> {
      const now = new Date();
      const found = await prisma.oneTimeToken.findUnique({
        where: { tokenHash },
        select: { id: true, userId: true },
      });
      if (!found) return null;
      const used = await prisma.oneTimeToken.updateMany({
        where: { id: found.id, purpose, usedAt: null, expiresAt: { gt: now } },
        data: { usedAt: now },
      });
      return used.count === 1 ? found.userId : null;
    },
  };
}

export type OneTimeTokensRepository = ReturnType<typeof createOneTimeTokensRepository>;
