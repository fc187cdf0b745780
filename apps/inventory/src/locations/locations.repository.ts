import type { DbClient } from '../db.ts';

export interface LocationRecord {
  id: string;
  name: string;
  parentId: string | null;
  createdAt: Date;
}

const select = { id: true, name: true, parentId: true, createdAt: true } as const;

export function locationsRepository(db: DbClient) {
  return {
    /** By name, keyset on (name, id); `parentId` null lists the top level (warehouses), undefined all. */
    async list(options: {
      parentId: string | null | undefined;
      after: { name: string; id: string } | null;
      take: number;
    }): Promise<LocationRecord[]> {
      const after = options.after;
      return db.location.findMany({
        where: {
          ...(options.parentId !== undefined && { parentId: options.parentId }),
          ...(after && { OR: [{ name: { gt: after.name } }, { name: after.name, id: { gt: after.id } }] }),
        },
        select,
        orderBy: [{ name: 'asc' }, { id: 'asc' }],
        take: options.take,
      });
    },

    async create(input: { name: string; parentId: string | null }): Promise<LocationRecord> {
      return db.location.create({ data: input, select });
    },

    async find(id: string): Promise<LocationRecord | null> {
      return db.location.findUnique({ where: { id }, select });
    },

    /**
     * Whether the location exists, holding a FOR KEY SHARE lock until the transaction ends, so that it
     * cannot be deleted under a write that refers to it.
     */
    async lockExisting(id: string): Promise<boolean> {
      const rows = await db.$queryRaw<Array<{ id: string }>>`
        SELECT id FROM locations WHERE id = ${id}::uuid FOR KEY SHARE`;
      return rows.length === 1;
    },
  };
}
