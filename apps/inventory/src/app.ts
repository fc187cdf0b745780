import type express from 'express';
import { requireAuthFromConfig, type RedisRevocationCheck } from '@mini/auth';
import { createServiceApp } from '@mini/http';
import type { Logger } from '@mini/logger';
import { createApiRegistry } from '@mini/validation';
import { categoryRoutes } from './categories/categories.routes.ts';
import { createCategoriesService } from './categories/categories.service.ts';
import type { Config } from './config.ts';
import type { Database } from './db.ts';
import { locationRoutes } from './locations/locations.routes.ts';
import { createLocationsService } from './locations/locations.service.ts';
import { productRoutes } from './products/products.routes.ts';
import { createProductsService } from './products/products.service.ts';
import { purchaseOrderRoutes } from './purchase-orders/purchase-orders.routes.ts';
import { createPurchaseOrdersService } from './purchase-orders/purchase-orders.service.ts';
import { createStore } from './repositories.ts';
import { reservationRoutes } from './reservations/reservations.routes.ts';
import { createReservationsService } from './reservations/reservations.service.ts';
import { stockRoutes } from './stock/stock.routes.ts';
import { createStockService } from './stock/stock.service.ts';

export interface AppDeps {
  config: Config;
  db: Database;
  logger: Logger;
  /** Refuses tokens of ended sessions (server.ts passes the Redis revocation list when REDIS_URL is set). */
  revocationList?: Pick<RedisRevocationCheck, 'isRevoked' | 'ping'>;
}

// Builds the Express app; never listens (server.ts does, tests use supertest on it).
export function createApp({ config, db, logger, revocationList }: AppDeps): express.Express {
  const api = createApiRegistry({
    title: 'Inventory service',
    version: '0.1.0',
    description:
      'Products, categories and locations (warehouses with nested bins), and a stock ledger: receipts, ' +
      'shipments, adjustments and transfers that never take stock below zero. Quantities and money are whole ' +
      'numbers (money in minor units). Managers and admins write; every signed-in user reads.',
    authenticate: requireAuthFromConfig(config, revocationList),
  });

  const store = createStore(db);
  const idempotencyTtlMs = config.IDEMPOTENCY_TTL_HOURS * 3_600_000;

  return createServiceApp({
    name: 'inventory',
    config,
    logger,
    // Without its database the service can do nothing: unready. Without Redis it still serves, accepting
    // the tokens of ended sessions until they expire: degraded (200), so instances stay in rotation.
    readinessChecks: { database: () => db.ping() },
    ...(revocationList ? { optionalChecks: { redis: () => revocationList.ping() } } : {}),
    openapi: () => api.document(),
    routes: (app) => {
      app.use(productRoutes(api, createProductsService(store)));
      app.use(categoryRoutes(api, createCategoriesService(store)));
      app.use(locationRoutes(api, createLocationsService(store)));
      app.use(stockRoutes(api, createStockService(store, { idempotencyTtlMs })));
      app.use(reservationRoutes(api, createReservationsService(store, { idempotencyTtlMs })));
      app.use(purchaseOrderRoutes(api, createPurchaseOrdersService(store, { idempotencyTtlMs })));
    },
  });
}
