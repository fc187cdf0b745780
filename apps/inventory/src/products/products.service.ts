import { ConflictError, NotFoundError, ValidationError, checkIfMatch, type IfMatch } from '@mini/http';
import { cursorText, cursorUuid, keysetPage, startAfter, type CursorSpec } from '@mini/validation';
import type { Repositories, Store } from '../repositories.ts';
import type { ProductChanges, ProductRecord } from './products.repository.ts';

export const productNotFound = () =>
  new NotFoundError('The product was not found.', { code: 'product-not-found' });

export const skuTaken = (sku = 'BOLT-M6-40') =>
  new ConflictError(`A product with SKU "${sku}" already exists.`, {
    code: 'sku-taken',
    errors: { sku: ['Already used (letter case does not matter)'] },
  });

export const unknownCategory = () =>
  new ValidationError('The category does not exist.', {
    code: 'unknown-category',
    errors: { categoryId: ['No such category'] },
  });

export interface CreateProductInput {
  sku: string;
  name: string;
  description?: string | undefined;
  categoryId?: string | undefined;
  unit?: string | undefined;
  unitCost: number;
  unitPrice?: number | undefined;
  reorderPoint?: number | undefined;
  reorderQuantity?: number | undefined;
}

type Defined<T> = { [K in keyof T]: Exclude<T[K], undefined> };

async function requireCategory(repos: Repositories, categoryId: string | null | undefined) {
  if (categoryId != null && !(await repos.categories.find(categoryId))) throw unknownCategory();
}

export function createProductsService(store: Store) {
  const { repos } = store;
  return {
    async list(options: {
      limit: number;
      cursor?: string | undefined;
      q?: string | undefined;
      categoryId?: string | undefined;
      active?: boolean | undefined;
    }) {
      const { q, categoryId, active } = options;
      const spec: CursorSpec<string> = {
        list: { products: { q: q ?? null, categoryId: categoryId ?? null, active: active ?? null } },
        value: cursorText,
        id: cursorUuid,
      };
      const after = startAfter(options.cursor, spec);
      const rows = await repos.products.list({
        q,
        categoryId,
        active,
        after: after && { key: after.v, id: after.id },
        take: options.limit + 1,
      });
      const page = keysetPage(rows, options.limit, spec, (last) => ({ v: last.skuKey, id: last.id }));
      return {
        items: page.items.map(({ skuKey: _key, ...product }) => product),
        nextCursor: page.nextCursor,
      };
    },

    async get(id: string): Promise<ProductRecord> {
      const product = await repos.products.find(id);
      if (!product) throw productNotFound();
      return product;
    },

    async create(input: CreateProductInput): Promise<ProductRecord> {
      await requireCategory(repos, input.categoryId);
      const product = await repos.products.create({
        sku: input.sku,
        name: input.name,
        description: input.description ?? '',
        categoryId: input.categoryId ?? null,
        unit: input.unit ?? 'each',
        unitCost: input.unitCost,
        unitPrice: input.unitPrice ?? null,
        reorderPoint: input.reorderPoint ?? 0,
        reorderQuantity: input.reorderQuantity ?? 0,
      });
      if (!product) throw skuTaken(input.sku);
      return product;
    },

    async update(id: string, input: ProductChanges, ifMatch: IfMatch | undefined): Promise<ProductRecord> {
      return store.transaction(async (tx) => {
        // Locked first, so that the version checked is the one the update replaces.
        const current = await tx.products.lockForUpdate(id);
        if (!current) throw productNotFound();
        checkIfMatch(ifMatch, current.version);
        await requireCategory(tx, input.categoryId);
        const changes = Object.fromEntries(
          Object.entries(input).filter(([, value]) => value !== undefined),
        ) as Defined<ProductChanges>;
        const updated = await tx.products.update(id, changes);
        if (!updated) throw skuTaken(input.sku);
        return updated;
      });
    },

    async delete(id: string, ifMatch: IfMatch | undefined): Promise<void> {
      await store.transaction(async (tx) => {
        const current = await tx.products.lockForUpdate(id);
        if (!current) throw productNotFound();
        checkIfMatch(ifMatch, current.version);
        // The ledger must keep saying what moved: a product with movements is only set inactive. The
        // FOR UPDATE lock above waits for stock writes in flight (they hold FOR KEY SHARE on the product).
        if (await tx.stock.productHasMovements(id)) {
          await tx.products.update(id, { active: false });
          return;
        }
        await tx.products.delete(id);
      });
    },
  };
}

export type ProductsService = ReturnType<typeof createProductsService>;
