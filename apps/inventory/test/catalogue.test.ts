import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { asUser, uniqueSuffix } from '@mini/testing';
import {
  admin,
  createCategory,
  createLocation,
  createProduct,
  manager,
  reader,
  useInventoryApp,
} from './helpers.ts';

const ctx = useInventoryApp();

describe('products', () => {
  it('when a manager creates a product, returns 201 with defaults, Location and ETag, and GET returns it', async () => {
    const res = await asUser(ctx.app, manager())
      .post('/products')
      .send({ sku: `BOLT-${uniqueSuffix()}`, name: ' Hex bolt ', unitCost: 1250 });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: 'Hex bolt',
      unit: 'each',
      unitCost: 1250,
      unitPrice: null,
      reorderPoint: 0,
      active: true,
      version: 1,
    });
    expect(res.headers.location).toBe(`/products/${res.body.id}`);
    expect(res.headers.etag).toBe('"1"');
    const got = await asUser(ctx.app, reader()).get(`/products/${res.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);
  });

  it('when the SKU differs from an existing one only in letter case, returns 409 sku-taken', async () => {
    const sku = `Ab-${uniqueSuffix()}`;
    await createProduct(ctx.app, admin(), { sku });
    const res = await asUser(ctx.app, manager())
      .post('/products')
      .send({ sku: sku.toUpperCase(), name: 'x', unitCost: 1 });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('sku-taken');
    expect(res.body.errors.sku).toBeDefined();
  });

  it('when a plain user writes, returns 403; without a token, 401', async () => {
    const res = await asUser(ctx.app, reader())
      .post('/products')
      .send({ sku: 'X-1', name: 'x', unitCost: 1 });
    expect(res.status).toBe(403);
    expect((await request(ctx.app).get('/products')).status).toBe(401);
    for (const path of ['/categories', '/locations']) {
      expect((await asUser(ctx.app, reader()).post(path).send({ name: 'x' })).status).toBe(403);
    }
  });

  it('when money is a fraction, negative, a string or past 2^31, returns 422 on that field', async () => {
    for (const unitCost of [1.5, -1, '10', 2 ** 31, 1e20]) {
      const res = await asUser(ctx.app, manager())
        .post('/products')
        .send({ sku: `S-${uniqueSuffix()}`, name: 'x', unitCost });
      expect(res.status, String(unitCost)).toBe(422);
      expect(res.body.errors.unitCost).toBeDefined();
    }
    const max = await createProduct(ctx.app, manager(), { unitCost: 2 ** 31 - 1 });
    expect(max.unitCost).toBe(2 ** 31 - 1);
  });

  it('when the category does not exist, returns 422 unknown-category', async () => {
    const res = await asUser(ctx.app, manager())
      .post('/products')
      .send({ sku: `S-${uniqueSuffix()}`, name: 'x', unitCost: 1, categoryId: crypto.randomUUID() });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('unknown-category');
  });

  it('lists by SKU in cursor pages, filtered by q, categoryId and active, never repeating a row', async () => {
    const user = manager();
    const category = await createCategory(ctx.app, user);
    const tag = uniqueSuffix();
    const made = [];
    for (let i = 0; i < 5; i++) {
      made.push(await createProduct(ctx.app, user, { sku: `L${i}-${tag}`, categoryId: category.id }));
    }
    await asUser(ctx.app, user).patch(`/products/${made[4]!.id}`).send({ active: false });

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `categoryId=${category.id}&active=true&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await asUser(ctx.app, reader()).get(`/products?${query}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((p: { sku: string }) => p.sku));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([0, 1, 2, 3].map((i) => `L${i}-${tag}`));

    const search = await asUser(ctx.app, reader()).get(`/products?q=l2-${tag.toUpperCase()}`);
    expect(search.body.items.map((p: { sku: string }) => p.sku)).toEqual([`L2-${tag}`]);

    const first = await asUser(ctx.app, reader()).get(`/products?categoryId=${category.id}&limit=1`);
    const other = await asUser(ctx.app, reader()).get(`/products?limit=1&cursor=${first.body.nextCursor}`);
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('invalid-cursor');
  });

  it('when PATCH names the current version, changes the product and bumps the ETag; a stale one is 412', async () => {
    const user = manager();
    const product = await createProduct(ctx.app, user);
    const res = await asUser(ctx.app, user)
      .patch(`/products/${product.id}`)
      .set('If-Match', '"1"')
      .send({ unitCost: 14, unitPrice: null, reorderPoint: 5 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ unitCost: 14, reorderPoint: 5, version: 2 });
    expect(res.headers.etag).toBe('"2"');
    const stale = await asUser(ctx.app, user)
      .patch(`/products/${product.id}`)
      .set('If-Match', '"1"')
      .send({ name: 'late' });
    expect(stale.status).toBe(412);
    expect(stale.body.currentVersion).toBe(2);
  });

  it('when PATCH takes a SKU in use or an unknown category, returns 409 or 422 and changes nothing', async () => {
    const user = manager();
    const a = await createProduct(ctx.app, user);
    const b = await createProduct(ctx.app, user);
    const taken = await asUser(ctx.app, user).patch(`/products/${b.id}`).send({ sku: a.sku.toLowerCase() });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('sku-taken');
    const bad = await asUser(ctx.app, user)
      .patch(`/products/${b.id}`)
      .send({ categoryId: crypto.randomUUID() });
    expect(bad.status).toBe(422);
    expect((await asUser(ctx.app, user).get(`/products/${b.id}`)).body.version).toBe(1);
  });

  it('when a product without stock history is deleted, returns 204 and then 404', async () => {
    const user = admin();
    const product = await createProduct(ctx.app, user);
    expect((await asUser(ctx.app, user).delete(`/products/${product.id}`)).status).toBe(204);
    const gone = await asUser(ctx.app, user).get(`/products/${product.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.code).toBe('product-not-found');
    const again = await asUser(ctx.app, user).delete(`/products/${product.id}`).set('If-Match', '"1"');
    expect(again.status).toBe(404);
    const patch = await asUser(ctx.app, user).patch(`/products/${product.id}`).send({ name: 'x' });
    expect(patch.status).toBe(404);
    expect(patch.body.code).toBe('product-not-found');
  });

  it('when DELETE names a stale version, returns 412 and keeps the product', async () => {
    const user = admin();
    const product = await createProduct(ctx.app, user);
    const res = await asUser(ctx.app, user).delete(`/products/${product.id}`).set('If-Match', '"7"');
    expect(res.status).toBe(412);
    expect((await asUser(ctx.app, user).get(`/products/${product.id}`)).status).toBe(200);
  });
});

describe('categories', () => {
  it('creates, gets and lists categories; a name differing only in case is 409', async () => {
    const user = manager();
    const name = `Tools ${uniqueSuffix()}`;
    const res = await asUser(ctx.app, user).post('/categories').send({ name });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/categories/${res.body.id}`);
    const dup = await asUser(ctx.app, user).post('/categories').send({ name: name.toUpperCase() });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('category-name-taken');
    expect((await asUser(ctx.app, reader()).get(`/categories/${res.body.id}`)).body).toEqual(res.body);
    const missing = await asUser(ctx.app, reader()).get(`/categories/${crypto.randomUUID()}`);
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('category-not-found');

    const page = await asUser(ctx.app, reader()).get('/categories?limit=1');
    expect(page.status).toBe(200);
    expect(page.body.items).toHaveLength(1);
    const next = await asUser(ctx.app, reader()).get(`/categories?limit=100&cursor=${page.body.nextCursor}`);
    expect(next.status).toBe(200);
    expect(next.body.items.map((c: { id: string }) => c.id)).not.toContain(page.body.items[0].id);
  });
});

describe('locations', () => {
  it('nests bins in a warehouse and lists the children of one location in cursor pages', async () => {
    const user = manager();
    const warehouse = await createLocation(ctx.app, user, { name: `Warehouse ${uniqueSuffix()}` });
    expect(warehouse.parentId).toBeNull();
    const bins = [];
    for (const name of ['Bin B', 'Bin A', 'Bin C']) {
      bins.push(await createLocation(ctx.app, user, { name, parentId: warehouse.id }));
    }
    const first = await asUser(ctx.app, reader()).get(`/locations?parentId=${warehouse.id}&limit=2`);
    expect(first.body.items.map((l: { name: string }) => l.name)).toEqual(['Bin A', 'Bin B']);
    const second = await asUser(ctx.app, reader()).get(
      `/locations?parentId=${warehouse.id}&limit=2&cursor=${first.body.nextCursor}`,
    );
    expect(second.body).toEqual({ items: [expect.objectContaining({ name: 'Bin C' })], nextCursor: null });

    const top = await asUser(ctx.app, reader()).get('/locations?parentId=none&limit=100');
    expect(top.status).toBe(200);
    for (const location of top.body.items) expect(location.parentId).toBeNull();

    expect((await asUser(ctx.app, reader()).get(`/locations/${bins[0]!.id}`)).body).toEqual(bins[0]);
  });

  it('when the parent does not exist, returns 422 unknown-parent; an unknown location is 404', async () => {
    const res = await asUser(ctx.app, manager())
      .post('/locations')
      .send({ name: 'Bin', parentId: crypto.randomUUID() });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('unknown-parent');
    const missing = await asUser(ctx.app, reader()).get(`/locations/${crypto.randomUUID()}`);
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('location-not-found');
  });
});
