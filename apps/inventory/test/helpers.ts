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
