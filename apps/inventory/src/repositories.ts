import { createStore as createKitStore, type Store as KitStore } from '@mini/db';
import { idempotencyKeys } from '@mini/idempotency';
import { categoriesRepository } from './categories/categories.repository.ts';
import type { Database, DbClient, SqlRunner } from './db.ts';
import { locationsRepository } from './locations/locations.repository.ts';
import { productsRepository } from './products/products.repository.ts';
import { purchaseOrdersRepository } from './purchase-orders/purchase-orders.repository.ts';
import { reservationsRepository } from './reservations/reservations.repository.ts';
import { stockRepository } from './stock/stock.repository.ts';

function repositoriesOn(db: DbClient, sql: SqlRunner) {
  return {
    categories: categoriesRepository(db),
    locations: locationsRepository(db),
    products: productsRepository(db, sql),
    stock: stockRepository(db, sql),
    reservations: reservationsRepository(db),
    purchaseOrders: purchaseOrdersRepository(db),
    // The kit's Idempotency-Key table (@mini/idempotency), in the same transactions as the rest.
    idempotency: idempotencyKeys(db),
  };
}

export type Repositories = ReturnType<typeof repositoriesOn>;

/** The repositories, and `transaction(fn)` to run several of them at once (see @mini/db's createStore). */
export type Store = KitStore<Repositories>;

export function createStore(db: Database): Store {
  return createKitStore(db, repositoriesOn);
}
