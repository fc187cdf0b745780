import { isUniqueViolation } from '@mini/db';
import type { DbClient, SqlRunner } from '../db.ts';
import type { Prisma } from '../generated/prisma/client.ts';

export interface ProductRecord {
  id: string;
  sku: string;
  name: string;
  description: string;
  categoryId: string | null;
  unit: string;
  unitCost: number;
  unitPrice: number | null;
  reorderPoint: number;
  reorderQuantity: number;
  active: boolean;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface ProductInput {
  sku: string;
  name: string;
  description: string;
  categoryId: string | null;
  unit: string;
  unitCost: number;
  unitPrice: number | null;
  reorderPoint: number;
  reorderQuantity: number;
}

export type ProductChanges = Partial<ProductInput & { active: boolean }>;

const select = {
  id: true,
  sku: true,
  name: true,
  description: true,
  categoryId: true,
  unit: true,
  unitCost: true,
  unitPrice: true,
  reorderPoint: true,
  reorderQuantity: true,
  active: true,
  version: true,
  createdAt: true,
  updatedAt: true,
} as const;

export function productsRepository(db: DbClient, _sql: SqlRunner) {
  return {
    /** By SKU whatever its case, keyset on (sku_key, id), the unique index's order. */
    async list(options: {
      q: string | undefined;
      categoryId: string | undefined;
      active: boolean | undefined;
      after: { key: string; id: string } | null;
      take: number;
    }): Promise<Array<ProductRecord & { skuKey: string }>> {
      const { q, after } = options;
      const where: Prisma.ProductWhereInput = {
        ...(options.categoryId !== undefined && { categoryId: options.categoryId }),
        ...(options.active !== undefined && { active: options.active }),
        ...(q !== undefined && {
          OR: [{ skuKey: { contains: q.toLowerCase() } }, { name: { contains: q, mode: 'insensitive' } }],
        }),
      };
      return db.product.findMany({
        where: after
          ? {
              AND: [
                where,
                { OR: [{ skuKey: { gt: after.key } }, { skuKey: after.key, id: { gt: after.id } }] },
              ],
            }
          : where,
        select: { ...select, skuKey: true },
        orderBy: [{ skuKey: 'asc' }, { id: 'asc' }],
        take: options.take,
      });
    },

    /** Null when the SKU is taken (whatever its letter case). */
    async create(input: ProductInput): Promise<ProductRecord | null> {
      try {
        return await db.product.create({ data: { ...input, skuKey: input.sku.toLowerCase() }, select });
      } catch (err) {
        if (isUniqueViolation(err)) return null;
        throw err;
      }
    },

    async find(id: string): Promise<ProductRecord | null> {
      return db.product.findUnique({ where: { id }, select });
    },

    /** The product, locked FOR UPDATE until the transaction ends (for a change or its deletion). */
    async lockForUpdate(id: string): Promise<ProductRecord | null> {
      const rows = await db.$queryRaw<Array<{ id: string }>>`
        SELECT id FROM products WHERE id = ${id}::uuid FOR UPDATE`;
      return rows.length === 1 ? db.product.findUnique({ where: { id }, select }) : null;
    },

    /** Null when the new SKU is taken. Bumps the version (the ETag). */
    async update(id: string, changes: ProductChanges): Promise<ProductRecord | null> {
      try {
        return await db.product.update({
          where: { id },
          data: {
            ...changes,
            ...(changes.sku !== undefined && { skuKey: changes.sku.toLowerCase() }),
            version: { increment: 1 },
          },
          select,
        });
      } catch (err) {
        if (isUniqueViolation(err)) return null;
        throw err;
      }
    },

    /**
     * The product's unit cost, holding a FOR KEY SHARE lock until the transaction ends, so that it cannot be
     * deleted under a stock write that refers to it (its deletion waits, then sees the movement). Null when
     * there is no such product.
     */
    async lockForStock(id: string): Promise<{ unitCost: number } | null> {
      const rows = await db.$queryRaw<Array<{ unitCost: number }>>`
        SELECT unit_cost AS "unitCost" FROM products WHERE id = ${id}::uuid FOR KEY SHARE`;
      return rows[0] ?? null;
    },

    async delete(id: string): Promise<void> {
      await db.product.delete({ where: { id } });
    },
  };
}
