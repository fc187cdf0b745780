import { describe, expect, it } from 'vitest';
import { asUser, uniqueSuffix } from '@mini/testing';
import {
  admin,
  createLocation,
  createProduct,
  ledgerOf,
  levelOf,
  manager,
  reader,
  stocked,
  useInventoryApp,
} from './helpers.ts';

const ctx = useInventoryApp();

describe('receive and ship', () => {
  it('when stock is received, appends a receipt at the product cost and returns the level', async () => {
    const user = manager();
    const product = await createProduct(ctx.app, user, { unitCost: 1250 });
    const location = await createLocation(ctx.app, user);
    const res = await asUser(ctx.app, user)
      .post('/stock/receive')
      .send({ productId: product.id, locationId: location.id, quantity: 40, reference: 'PO-7' });
    expect(res.status).toBe(201);
    expect(res.body.movement).toMatchObject({
      type: 'receipt',
      quantity: 40,
      unitCost: 1250,
      reference: 'PO-7',
      createdBy: user.id,
    });
    expect(res.body.level).toEqual({
      productId: product.id,
      locationId: location.id,
      onHand: 40,
      reserved: 0,
      available: 40,
      incoming: 0,
    });
    expect(await levelOf(ctx.app, product.id, location.id)).toEqual(res.body.level);
  });

  it('when a shipment fits, appends -quantity and lowers on hand', async () => {
    const user = admin();
    const { product, location } = await stocked(ctx.app, user, 10);
    const res = await asUser(ctx.app, user)
      .post('/stock/ship')
      .send({ productId: product.id, locationId: location.id, quantity: 4 });
    expect(res.status).toBe(201);
    expect(res.body.movement).toMatchObject({ type: 'shipment', quantity: -4 });
    expect(res.body.level).toMatchObject({ onHand: 6, available: 6 });
  });

  it('when more is shipped than is available, returns 409 insufficient-stock with available and changes nothing', async () => {
    const user = manager();
    const { product, location } = await stocked(ctx.app, user, 3);
    const res = await asUser(ctx.app, user)
      .post('/stock/ship')
      .send({ productId: product.id, locationId: location.id, quantity: 4 });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'insufficient-stock', available: 3 });
    expect((await levelOf(ctx.app, product.id, location.id)).onHand).toBe(3);
    expect(await ledgerOf(ctx.db, product.id, location.id)).toEqual({ sum: 3, count: 1 });

    const empty = await createLocation(ctx.app, user);
    const none = await asUser(ctx.app, user)
      .post('/stock/ship')
      .send({ productId: product.id, locationId: empty.id, quantity: 1 });
    expect(none.status).toBe(409);
    expect(none.body.available).toBe(0);
  });

  it('when the quantity is a fraction, zero, negative, a string or past 2^31, returns 422 on quantity', async () => {
    const user = manager();
    const { product, location } = await stocked(ctx.app, user, 0);
    for (const path of ['/stock/receive', '/stock/ship']) {
      for (const quantity of [1.5, 0, -1, '3', 2 ** 31, 1e300, null]) {
        const res = await asUser(ctx.app, user)
          .post(path)
          .send({ productId: product.id, locationId: location.id, quantity });
        expect(res.status, `${path} ${String(quantity)}`).toBe(422);
        expect(res.body.errors.quantity).toBeDefined();
      }
    }
    expect(await ledgerOf(ctx.db, product.id, location.id)).toEqual({ sum: 0, count: 0 });
  });

  it('when a receipt would take on hand past 2^31 - 1, returns 422 quantity-too-large and changes nothing', async () => {
    const user = manager();
    const { product, location } = await stocked(ctx.app, user, 2 ** 31 - 1);
    const res = await asUser(ctx.app, user)
      .post('/stock/receive')
      .send({ productId: product.id, locationId: location.id, quantity: 1 });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('quantity-too-large');
    expect((await levelOf(ctx.app, product.id, location.id)).onHand).toBe(2 ** 31 - 1);
  });

  it('on every stock write, an unknown product or location is 422 naming the field, and a reused key is 422', async () => {
    const user = manager();
    const { product, location } = await stocked(ctx.app, user, 5);
    const other = await createLocation(ctx.app, user);
    const routes: Array<[string, (ids: { productId: string; locationId: string }) => object, string]> = [
      ['/stock/receive', (ids) => ({ ...ids, quantity: 1 }), 'locationId'],
      ['/stock/ship', (ids) => ({ ...ids, quantity: 1 }), 'locationId'],
      ['/stock/adjust', (ids) => ({ ...ids, quantity: -1, reason: 'Count' }), 'locationId'],
      [
        '/stock/transfer',
        (ids) => ({
          productId: ids.productId,
          fromLocationId: ids.locationId,
          toLocationId: other.id,
          quantity: 1,
        }),
        'fromLocationId',
      ],
    ];
    for (const [path, body, locationField] of routes) {
      const noProduct = await asUser(ctx.app, user)
        .post(path)
        .send(body({ productId: crypto.randomUUID(), locationId: location.id }));
      expect(noProduct.status, path).toBe(422);
      expect(noProduct.body.code).toBe('unknown-product');
      expect(noProduct.body.errors.productId).toBeDefined();
      const noLocation = await asUser(ctx.app, user)
        .post(path)
        .send(body({ productId: product.id, locationId: crypto.randomUUID() }));
      expect(noLocation.status, path).toBe(422);
      expect(noLocation.body.code).toBe('unknown-location');
      expect(noLocation.body.errors[locationField]).toBeDefined();

      const key = `reuse-${uniqueSuffix()}`;
      const first = await asUser(ctx.app, user)
        .post(path)
        .set('Idempotency-Key', key)
        .send(body({ productId: product.id, locationId: location.id }));
      expect(first.status, path).toBe(201);
      const reused = await asUser(ctx.app, user)
        .post(path)
        .set('Idempotency-Key', key)
        .send({ ...body({ productId: product.id, locationId: location.id }), reference: 'other' });
      expect(reused.status, path).toBe(422);
      expect(reused.body.code).toBe('idempotency-key-reused');
    }
    // receive +1, ship -1, adjust -1, transfer -1: each once, whatever was refused.
    expect(await ledgerOf(ctx.db, product.id, location.id)).toEqual({ sum: 3, count: 5 });
  });

  it('when a plain user changes stock, returns 403 and nothing moves', async () => {
    const { product, location } = await stocked(ctx.app, manager(), 5);
    for (const path of ['/stock/receive', '/stock/ship']) {
      const res = await asUser(ctx.app, reader())
        .post(path)
        .send({ productId: product.id, locationId: location.id, quantity: 1 });
      expect(res.status).toBe(403);
    }
    expect(await ledgerOf(ctx.db, product.id, location.id)).toEqual({ sum: 5, count: 1 });
  });
});

describe('adjust', () => {
  it('appends a signed adjustment with its reason; one below available is 409; no reason or 0 is 422', async () => {
    const user = manager();
    const { product, location } = await stocked(ctx.app, user, 5);
    const send = (body: Record<string, unknown>) =>
      asUser(ctx.app, user)
        .post('/stock/adjust')
        .send({ productId: product.id, locationId: location.id, ...body });

    const lost = await send({ quantity: -2, reason: 'Damaged' });
    expect(lost.status).toBe(201);
    expect(lost.body.movement).toMatchObject({ type: 'adjustment', quantity: -2, reason: 'Damaged' });
    const found = await send({ quantity: 7, reason: 'Found in the stock count' });
    expect(found.body.level.onHand).toBe(10);
    const tooMany = await send({ quantity: -11, reason: 'Gone' });
    expect(tooMany.status).toBe(409);
    expect(tooMany.body.available).toBe(10);
    expect((await send({ quantity: 1 })).body.errors.reason).toBeDefined();
    expect((await send({ quantity: 0, reason: 'x' })).body.errors.quantity).toBeDefined();
    expect((await send({ quantity: 2 ** 31 - 1, reason: 'x' })).body.code).toBe('quantity-too-large');
    expect(await ledgerOf(ctx.db, product.id, location.id)).toEqual({ sum: 10, count: 3 });
  });
});

describe('transfer', () => {
  it('moves stock in two legs sharing a transferId, both levels changed in one go', async () => {
    const user = manager();
    const { product, location: from } = await stocked(ctx.app, user, 10);
    const to = await createLocation(ctx.app, user);
    const res = await asUser(ctx.app, user)
      .post('/stock/transfer')
      .send({ productId: product.id, fromLocationId: from.id, toLocationId: to.id, quantity: 4 });
    expect(res.status).toBe(201);
    const [out, into] = res.body.movements;
    expect(out).toMatchObject({ type: 'transfer', locationId: from.id, quantity: -4 });
    expect(into).toMatchObject({ type: 'transfer', locationId: to.id, quantity: 4 });
    expect(out.transferId).toBe(res.body.transferId);
    expect(into.transferId).toBe(res.body.transferId);
    expect(res.body.levels.map((l: { onHand: number }) => l.onHand)).toEqual([6, 4]);
    expect(await ledgerOf(ctx.db, product.id, to.id)).toEqual({ sum: 4, count: 1 });
  });

  it('when the source has less available, returns 409 and neither leg happens', async () => {
    const user = manager();
    const { product, location: from } = await stocked(ctx.app, user, 2);
    const to = await createLocation(ctx.app, user);
    const res = await asUser(ctx.app, user)
      .post('/stock/transfer')
      .send({ productId: product.id, fromLocationId: from.id, toLocationId: to.id, quantity: 3 });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'insufficient-stock', available: 2 });
    expect(await ledgerOf(ctx.db, product.id, from.id)).toEqual({ sum: 2, count: 1 });
    expect(await ledgerOf(ctx.db, product.id, to.id)).toEqual({ sum: 0, count: 0 });
  });

  it('when both locations are the same, returns 422 same-location', async () => {
    const user = manager();
    const { product, location } = await stocked(ctx.app, user, 2);
    const res = await asUser(ctx.app, user)
      .post('/stock/transfer')
      .send({ productId: product.id, fromLocationId: location.id, toLocationId: location.id, quantity: 1 });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('same-location');
  });
});

describe('Idempotency-Key', () => {
  it('when a shipment is retried with its key, replays the answer and ships once; another body is 422', async () => {
    const user = manager();
    const { product, location } = await stocked(ctx.app, user, 5);
    const key = `ship-${uniqueSuffix()}`;
    const body = { productId: product.id, locationId: location.id, quantity: 2 };
    const first = await asUser(ctx.app, user).post('/stock/ship').set('Idempotency-Key', key).send(body);
    const retry = await asUser(ctx.app, user).post('/stock/ship').set('Idempotency-Key', key).send(body);
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect(await ledgerOf(ctx.db, product.id, location.id)).toEqual({ sum: 3, count: 2 });

    const other = await asUser(ctx.app, user)
      .post('/stock/ship')
      .set('Idempotency-Key', key)
      .send({ ...body, quantity: 1 });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('idempotency-key-reused');
  });

  it('when a transfer is retried with its key, replays it and moves once', async () => {
    const user = manager();
    const { product, location: from } = await stocked(ctx.app, user, 5);
    const to = await createLocation(ctx.app, user);
    const key = `transfer-${uniqueSuffix()}`;
    const body = { productId: product.id, fromLocationId: from.id, toLocationId: to.id, quantity: 5 };
    const first = await asUser(ctx.app, user).post('/stock/transfer').set('Idempotency-Key', key).send(body);
    const retry = await asUser(ctx.app, user).post('/stock/transfer').set('Idempotency-Key', key).send(body);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(await ledgerOf(ctx.db, product.id, to.id)).toEqual({ sum: 5, count: 1 });
  });
});

describe('levels and the ledger', () => {
  it('lists movements newest first in cursor pages, filtered by product, location, type and time', async () => {
    const user = manager();
    const { product, location } = await stocked(ctx.app, user, 10);
    const since = new Date().toISOString();
    for (const quantity of [1, 2, 3]) {
      await asUser(ctx.app, user)
        .post('/stock/ship')
        .send({ productId: product.id, locationId: location.id, quantity });
    }
    const base = `/stock/movements?productId=${product.id}&locationId=${location.id}`;
    const first = await asUser(ctx.app, reader()).get(`${base}&type=shipment&limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.items.map((m: { quantity: number }) => m.quantity)).toEqual([-3, -2]);
    const second = await asUser(ctx.app, reader()).get(
      `${base}&type=shipment&limit=2&cursor=${first.body.nextCursor}`,
    );
    expect(second.body.items.map((m: { quantity: number }) => m.quantity)).toEqual([-1]);
    expect(second.body.nextCursor).toBeNull();

    const receipts = await asUser(ctx.app, reader()).get(`${base}&type=receipt`);
    expect(receipts.body.items.map((m: { quantity: number }) => m.quantity)).toEqual([10]);
    const recent = await asUser(ctx.app, reader()).get(`${base}&from=${since}`);
    expect(recent.body.items).toHaveLength(3);
    const before = await asUser(ctx.app, reader()).get(`${base}&to=${since}`);
    expect(before.body.items.map((m: { type: string }) => m.type)).toEqual(['receipt']);

    const wrongList = await asUser(ctx.app, reader()).get(
      `/stock/movements?productId=${product.id}&cursor=${first.body.nextCursor}`,
    );
    expect(wrongList.status).toBe(422);
    expect(wrongList.body.code).toBe('invalid-cursor');
  });

  it('lists the levels of a product at every location in cursor pages', async () => {
    const user = manager();
    const { product, location: a } = await stocked(ctx.app, user, 3);
    const b = await createLocation(ctx.app, user);
    await asUser(ctx.app, user)
      .post('/stock/receive')
      .send({ productId: product.id, locationId: b.id, quantity: 5 });
    const first = await asUser(ctx.app, reader()).get(`/stock?productId=${product.id}&limit=1`);
    const second = await asUser(ctx.app, reader()).get(
      `/stock?productId=${product.id}&limit=1&cursor=${first.body.nextCursor}`,
    );
    const levels = [...first.body.items, ...second.body.items];
    expect(second.body.nextCursor).toBeNull();
    expect(Object.fromEntries(levels.map((l) => [l.locationId, l.onHand]))).toEqual({ [a.id]: 3, [b.id]: 5 });
  });

  it('when a product with movements is deleted, it is set inactive and stays readable with its ledger', async () => {
    const user = manager();
    const { product, location } = await stocked(ctx.app, user, 1);
    expect((await asUser(ctx.app, user).delete(`/products/${product.id}`)).status).toBe(204);
    const got = await asUser(ctx.app, reader()).get(`/products/${product.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ active: false, version: 2 });
    expect(await ledgerOf(ctx.db, product.id, location.id)).toEqual({ sum: 1, count: 1 });
  });
});
