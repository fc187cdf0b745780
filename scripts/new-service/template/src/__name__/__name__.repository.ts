import type { PrismaClient } from '../generated/prisma/client.ts';
import type { CursorPosition } from '../shared/cursor.ts';

export interface __Item__Record {
  id: string;
  ownerId: string;
  title: string;
  body: string;
  createdAt: Date;
  updatedAt: Date;
}

/** The only code that touches the database; it returns plain objects. */
export function __item__Repository(db: PrismaClient) {
  return {
    async create(input: { ownerId: string; title: string; body: string }): Promise<__Item__Record> {
      return db.__item__.create({ data: input });
    },

    /** The owner's rows, newest first, strictly after `after` (keyset on created_at, id). */
    async listByOwner(
      ownerId: string,
      options: { after: CursorPosition | null; take: number },
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
      // One statement with the owner in its WHERE: no read-then-write race, and no way to reach another
      // user's row.
      const { count } = await db.__item__.updateMany({ where: { id, ownerId }, data: changes });
      return count === 0 ? null : db.__item__.findFirst({ where: { id, ownerId } });
    },

    /** False when there was no such row of this owner. */
    async deleteOwned(ownerId: string, id: string): Promise<boolean> {
      const { count } = await db.__item__.deleteMany({ where: { id, ownerId } });
      return count > 0;
    },
  };
}

export type __Item__Repository = ReturnType<typeof __item__Repository>;
