import { isUniqueViolation } from '@mini/db';
import type { DbClient } from '../db.ts';

export interface CategoryRecord {
  id: string;
  name: string;
  createdAt: Date;
}

const select = { id: true, name: true, createdAt: true } as const;

export function categoriesRepository(db: DbClient) {
  return {
    /** By name whatever its case, keyset on (name_key, id). */
    async list(options: { after: { key: string; id: string } | null; take: number }) {
      const after = options.after;
      const rows = await db.category.findMany({
        where: after
          ? { OR: [{ nameKey: { gt: after.key } }, { nameKey: after.key, id: { gt: after.id } }] }
          : {},
        select: { ...select, nameKey: true },
        orderBy: [{ nameKey: 'asc' }, { id: 'asc' }],
        take: options.take,
      });
      return rows;
    },

    /** Null when the name is taken (whatever its letter case). */
    async create(name: string): Promise<CategoryRecord | null> {
      try {
        return await db.category.create({ data: { name, nameKey: name.toLowerCase() }, select });
      } catch (err) {
        if (isUniqueViolation(err)) return null;
        throw err;
      }
    },

    async find(id: string): Promise<CategoryRecord | null> {
      return db.category.findUnique({ where: { id }, select });
    },
  };
}
