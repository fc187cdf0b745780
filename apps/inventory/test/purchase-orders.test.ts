import { describe, expect, it } from 'vitest';
import { asUser, uniqueSuffix } from '@mini/testing';
import {
  createLocation,
  createProduct,
  ledgerOf,
  levelOf,
  manager,
  reader,
  useInventoryApp,
} from './helpers.ts';

const ctx = useInventoryApp();

async function draft(user = manager(), quantities = [10]) {
  const location = await createLocation(ctx.app, user);
  const products: Array<{ id: string }> = [];
  for (const _ of quantities) products.push(await createProduct(ctx.app, user, { unitCost: 700 }));
  const res = await asUser(ctx.app, user)
    .post('/purchase-orders')
    .send({
      locationId: location.id,
      reference: `PO-${uniqueSuffix()}`,
      lines: quantities.map((quantity, i) => ({
        productId: products[i]!.id,
        quantity,
        ...(i === 0 ? { unitCost: 650 } : {}),
      })),
    });
  expect(res.status).toBe(201);
  return { order: res.body, location, products, user };
}

describe('purchase orders', () => {
  it('drafts an order whose lines take the given or the product cost; a draft is not incoming', async () => {
    const { order, location, products } = await draft(manager(), [10, 4]);
    expect(order.status).toBe('draft');
    expect(order.lines.map((l: { unitCost: number }) => l.unitCost)).toEqual([650, 700]);
    expect((await levelOf(ctx.app, products[0]!.id, location.id)).incoming).toBe(0);
    const got = await asUser(ctx.app, reader()).get(`/purchase-orders/${order.id}`);
    expect(got.body).toEqual(order);
  });

  it('when submitted, its lines show as incoming; a second submit is 409 purchase-order-status', async () => {
    const { order, location, products, user } = await draft();
    const res = await asUser(ctx.app, user).post(`/purchase-orders/${order.id}/submit`);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('submitted');
    expect(await levelOf(ctx.app, products[0]!.id, location.id)).toMatchObject({ onHand: 0, incoming: 10 });
    const again = await asUser(ctx.app, user).post(`/purchase-orders/${order.id}/submit`);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'purchase-order-status', purchaseOrderStatus: 'submitted' });
  });

  it('receives partially then fully: purchase_receipt movements at the line cost, incoming falls, status follows', async () => {
    const { order, location, products, user } = await draft();
    const productId = products[0]!.id;
    const lineId = order.lines[0].id;
    const receive = (quantity: number) =>
      asUser(ctx.app, user)
        .post(`/purchase-orders/${order.id}/receive`)
        .send({ lines: [{ lineId, quantity }] });
    const early = await receive(1);
    expect(early.status).toBe(409);
    expect(early.body.purchaseOrderStatus).toBe('draft');
    await asUser(ctx.app, user).post(`/purchase-orders/${order.id}/submit`);

    const part = await receive(4);
    expect(part.status).toBe(200);
    expect(part.body.purchaseOrder.status).toBe('partially_received');
    expect(part.body.movements).toEqual([
      expect.objectContaining({
        type: 'purchase_receipt',
        quantity: 4,
        unitCost: 650,
        purchaseOrderLineId: lineId,
      }),
    ]);
    expect(await levelOf(ctx.app, productId, location.id)).toMatchObject({ onHand: 4, incoming: 6 });

    const over = await receive(7);
    expect(over.status).toBe(422);
    expect(over.body.code).toBe('over-receipt');
    expect(over.body.errors['lines.0.quantity']).toBeDefined();

    const rest = await receive(6);
    expect(rest.body.purchaseOrder.status).toBe('received');
    expect(await levelOf(ctx.app, productId, location.id)).toMatchObject({ onHand: 10, incoming: 0 });
    expect(await ledgerOf(ctx.db, productId, location.id)).toEqual({ sum: 10, count: 2 });
    const after = await receive(1);
    expect(after.status).toBe(409);
    const cancel = await asUser(ctx.app, user).post(`/purchase-orders/${order.id}/cancel`);
    expect(cancel.status).toBe(409);
    expect(cancel.body.code).toBe('purchase-order-status');
  });

  it('when a line is not of the order or named twice, returns 422 unknown-line and receives nothing', async () => {
    const { order, location, products, user } = await draft(manager(), [5, 5]);
    await asUser(ctx.app, user).post(`/purchase-orders/${order.id}/submit`);
    const lineId = order.lines[0].id;
    for (const lines of [
      [{ lineId: crypto.randomUUID(), quantity: 1 }],
      [
        { lineId, quantity: 1 },
        { lineId, quantity: 1 },
      ],
    ]) {
      const res = await asUser(ctx.app, user).post(`/purchase-orders/${order.id}/receive`).send({ lines });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('unknown-line');
    }
    expect((await levelOf(ctx.app, products[0]!.id, location.id)).onHand).toBe(0);
  });

  it('a receipt retried with its key is replayed and received once; the key with another body is 422', async () => {
    const { order, location, products, user } = await draft();
    await asUser(ctx.app, user).post(`/purchase-orders/${order.id}/submit`);
    const key = `po-${uniqueSuffix()}`;
    const body = { lines: [{ lineId: order.lines[0].id, quantity: 3 }] };
    const send = (b: object) =>
      asUser(ctx.app, user).post(`/purchase-orders/${order.id}/receive`).set('Idempotency-Key', key).send(b);
    const first = await send(body);
    const retry = await send(body);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect((await send({ lines: [{ lineId: order.lines[0].id, quantity: 2 }] })).body.code).toBe(
      'idempotency-key-reused',
    );
    expect((await levelOf(ctx.app, products[0]!.id, location.id)).onHand).toBe(3);
  });

  it('when cancelled after a partial receipt, keeps what came and stops counting the rest as incoming', async () => {
    const { order, location, products, user } = await draft();
    await asUser(ctx.app, user).post(`/purchase-orders/${order.id}/submit`);
    await asUser(ctx.app, user)
      .post(`/purchase-orders/${order.id}/receive`)
      .send({ lines: [{ lineId: order.lines[0].id, quantity: 2 }] });
    const res = await asUser(ctx.app, user).post(`/purchase-orders/${order.id}/cancel`);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('cancelled');
    expect(await levelOf(ctx.app, products[0]!.id, location.id)).toMatchObject({ onHand: 2, incoming: 0 });
  });

  it('unknown ids: 404 on the order, 422 for an unknown location or product; plain users get 403', async () => {
    const user = manager();
    const id = crypto.randomUUID();
    for (const path of [`/purchase-orders/${id}/submit`, `/purchase-orders/${id}/cancel`]) {
      const res = await asUser(ctx.app, user).post(path);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('purchase-order-not-found');
    }
    expect((await asUser(ctx.app, user).get(`/purchase-orders/${id}`)).status).toBe(404);
    const receive = await asUser(ctx.app, user)
      .post(`/purchase-orders/${id}/receive`)
      .send({ lines: [{ lineId: id, quantity: 1 }] });
    expect(receive.status).toBe(404);
    const product = await createProduct(ctx.app, user);
    const location = await createLocation(ctx.app, user);
    const noLocation = await asUser(ctx.app, user)
      .post('/purchase-orders')
      .send({ locationId: id, lines: [{ productId: product.id, quantity: 1 }] });
    expect(noLocation.body.code).toBe('unknown-location');
    const noProduct = await asUser(ctx.app, user)
      .post('/purchase-orders')
      .send({ locationId: location.id, lines: [{ productId: id, quantity: 1 }] });
    expect(noProduct.status).toBe(422);
    expect(noProduct.body.errors['lines.0.productId']).toBeDefined();
    const huge = await asUser(ctx.app, user)
      .post('/purchase-orders')
      .send({ locationId: location.id, lines: [{ productId: product.id, quantity: 2 ** 31 }] });
    expect(huge.status).toBe(422);
    const plain = await asUser(ctx.app, reader())
      .post('/purchase-orders')
      .send({ locationId: location.id, lines: [{ productId: product.id, quantity: 1 }] });
    expect(plain.status).toBe(403);
  });

  it('lists orders newest first, by status, in cursor pages', async () => {
    const user = manager();
    const a = (await draft(user)).order;
    const b = (await draft(user)).order;
    const first = await asUser(ctx.app, reader()).get('/purchase-orders?status=draft&limit=1');
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(1);
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: Array<{ id: string; status: string }>; nextCursor: string | null } } =
        await asUser(ctx.app, reader()).get(
          `/purchase-orders?status=draft&limit=50${cursor ? `&cursor=${cursor}` : ''}`,
        );
      for (const item of page.body.items) {
        expect(item.status).toBe('draft');
        ids.push(item.id);
      }
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(ids.indexOf(b.id)).toBeLessThan(ids.indexOf(a.id));
    expect(ids.indexOf(a.id)).toBeGreaterThan(-1);
  });
});
