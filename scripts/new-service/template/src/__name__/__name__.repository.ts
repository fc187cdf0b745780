import type { DbClient } from '../db.ts';

export interface __Item__Record {
  id: string;
  ownerId: string;
  title: string;
  body: string;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * The only code that touches the __name__ table; it returns plain objects. It runs on the client it is
 * given (the pool's, or a transaction's: see src/repositories.ts), so a service decides what commits together.
 */
export function __name__Repository(db: DbClient) {
  return {
    async create(input: { ownerId: string; title: string; body: string }): Promise<__Item__Record> {
      return db.__item__.create({ data: input });
    },

    /** The owner's rows, newest first, strictly after `after` (keyset on created_at, id). */
    async listByOwner(
      ownerId: string,
      options: { after: { createdAt: Date; id: string } | null; take: number },
    ): Promise<__Item__Record[]> {
      const { after } = options;
      return db.__item__.findMany({
        where: {
          ownerId,
          ...(after && {
            OR: [
              { createdAt: { lt: after.createdAt } },
              { createdAt: after.createdAt, id: { lt: after.id } },
            ],
          }),
        },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: options.take,
      });
    },

    /** Null when there is no such row or it is not the owner's: the caller cannot tell which. */
    async findOwned(ownerId: string, id: string): Promise<__Item__Record | null> {
      return db.__item__.findFirst({ where: { id, ownerId } });
    },

    /** Null when there is no such row of this owner. */
    async updateOwned(
      ownerId: string,
      id: string,
      changes: { title?: string | undefined; body?: string | undefined },
    ): Promise<__Item__Record | null> {
      // One statement with the owner in its WHERE, returning the changed row: no read-then-write race, and
      // no way to reach another user's row.
      const [updated] = await db.__item__.updateManyAndReturn({ where: { id, ownerId }, data: changes });
      return updated ?? null;
    },

    /** False when there was no such row of this owner. */
    async deleteOwned(ownerId: string, id: string): Promise<boolean> {
      const { count } = await db.__item__.deleteMany({ where: { id, ownerId } });
      return count > 0;
    },
  };
}

export type __Name__Repository = ReturnType<typeof __name__Repository>;
