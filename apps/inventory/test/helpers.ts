import { poolOptionsFromConfig } from '@mini/db';
import {
  asUser,
  defineTestApp,
  silentLogger,
  testAuth,
  testUser,
  uniqueSuffix,
  useTestApp,
  type TestUser,
} from '@mini/testing';
import { configSchema } from '../src/config.ts';
import { connectDatabase } from '../src/db.ts';
import { createApp } from '../src/app.ts';

export const inventoryTestApp = defineTestApp({
  configSchema,
  env: {
    AUTH_ISSUER: testAuth.issuer,
    AUTH_AUDIENCE: testAuth.audience,
    AUTH_PUBLIC_KEY: testAuth.publicKey,
  },
  database: (config, logger) => connectDatabase(config.DATABASE_URL, logger, poolOptionsFromConfig(config)),
  createApp: ({ config, db, logger }) => ({ app: createApp({ config, db, logger }) }),
});

/** The app of one test file, on the run's test database: built before its first test, closed after its last. */
export function useInventoryApp() {
  return useTestApp(() => inventoryTestApp.build({}, { logger: silentLogger }));
}

type App = Parameters<typeof asUser>[0];

/** A manager (may write), an admin (may write) and a plain user (may only read). */
export const manager = () => testUser('manager', { role: 'manager' });
export const admin = () => testUser('admin', { role: 'admin' });
export const reader = () => testUser('reader');

export interface ProductDto {
  id: string;
  sku: string;
  name: string;
  categoryId: string | null;
  unitCost: number;
  active: boolean;
  version: number;
}

export async function createProduct(app: App, user: TestUser, overrides: Record<string, unknown> = {}) {
  const res = await asUser(app, user)
    .post('/products')
    .send({ sku: `SKU-${uniqueSuffix()}`, name: `Product ${uniqueSuffix()}`, unitCost: 100, ...overrides });
  if (res.status !== 201) throw new Error(`createProduct: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as ProductDto;
}

export async function createLocation(app: App, user: TestUser, overrides: Record<string, unknown> = {}) {
  const res = await asUser(app, user)
    .post('/locations')
    .send({ name: `Location ${uniqueSuffix()}`, ...overrides });
  if (res.status !== 201) throw new Error(`createLocation: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; name: string; parentId: string | null };
}

export async function createCategory(app: App, user: TestUser, name = `Category ${uniqueSuffix()}`) {
  const res = await asUser(app, user).post('/categories').send({ name });
  if (res.status !== 201) throw new Error(`createCategory: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; name: string };
}

export interface Level {
  productId: string;
  locationId: string;
  onHand: number;
  reserved: number;
  available: number;
  incoming: number;
}

/** A product and a location holding `onHand` of it, received through the API. */
export async function stocked(app: App, user: TestUser, onHand: number) {
  const product = await createProduct(app, user);
  const location = await createLocation(app, user);
  if (onHand > 0) {
    const res = await asUser(app, user)
      .post('/stock/receive')
      .send({ productId: product.id, locationId: location.id, quantity: onHand });
    if (res.status !== 201) throw new Error(`stocked: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return { product, location };
}

/** The level as GET /stock reports it (zeros when there is none yet). */
export async function levelOf(app: App, productId: string, locationId: string): Promise<Level> {
  const res = await asUser(app, reader()).get(`/stock?productId=${productId}&locationId=${locationId}`);
  if (res.status !== 200) throw new Error(`levelOf: ${res.status} ${JSON.stringify(res.body)}`);
  const items = res.body.items as Level[];
  return items[0] ?? { productId, locationId, onHand: 0, reserved: 0, available: 0, incoming: 0 };
}

/** What the ledger says, read straight from the database: the sum and count of the movements. */
export async function ledgerOf(
  db: { pool: { query(text: string, values: unknown[]): Promise<{ rows: unknown[] }> } },
  productId: string,
  locationId: string,
) {
  const { rows } = await db.pool.query(
    `SELECT coalesce(sum(quantity), 0)::int AS sum, count(*)::int AS count FROM stock_movements
     WHERE product_id = $1 AND location_id = $2`,
    [productId, locationId],
  );
  return rows[0] as { sum: number; count: number };
}
