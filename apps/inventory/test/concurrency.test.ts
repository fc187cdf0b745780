import { describe, expect, it } from 'vitest';
import { asUser } from '@mini/testing';
import { createLocation, ledgerOf, levelOf, manager, stocked, useInventoryApp } from './helpers.ts';

// Real Postgres, real parallel requests: the level update is one conditional statement that Postgres
// serialises on the level row, so however the requests interleave, exactly as many succeed as there is stock.
const ctx = useInventoryApp();

const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

describe('concurrency', () => {
  it('when 50 ships of 1 race against a stock of 10, exactly 10 succeed, 40 are 409, and the ledger sums to on hand', async () => {
    const user = manager();
    const { product, location } = await stocked(ctx.app, user, 10);
    const statuses = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const res = await asUser(ctx.app, user)
          .post('/stock/ship')
          .send({ productId: product.id, locationId: location.id, quantity: 1 });
        return res.status;
      }),
    );
    expect(count(statuses, 201)).toBe(10);
    expect(count(statuses, 409)).toBe(40);
    const level = await levelOf(ctx.app, product.id, location.id);
    expect(level.onHand).toBe(0);
    expect(await ledgerOf(ctx.db, product.id, location.id)).toEqual({ sum: 0, count: 11 });
  });

  it('when transfers race ships from the same source, together they take exactly the stock, and both ledgers sum to on hand', async () => {
    const user = manager();
    const { product, location: source } = await stocked(ctx.app, user, 10);
    const destination = await createLocation(ctx.app, user);
    const results = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const res =
          i % 2 === 0
            ? await asUser(ctx.app, user)
                .post('/stock/ship')
                .send({ productId: product.id, locationId: source.id, quantity: 1 })
            : await asUser(ctx.app, user).post('/stock/transfer').send({
                productId: product.id,
                fromLocationId: source.id,
                toLocationId: destination.id,
                quantity: 1,
              });
        return { transfer: i % 2 === 1, status: res.status };
      }),
    );
    const statuses = results.map((r) => r.status);
    expect(count(statuses, 201)).toBe(10);
    expect(count(statuses, 409)).toBe(30);
    const moved = results.filter((r) => r.transfer && r.status === 201).length;
    expect((await levelOf(ctx.app, product.id, source.id)).onHand).toBe(0);
    expect((await levelOf(ctx.app, product.id, destination.id)).onHand).toBe(moved);
    expect((await ledgerOf(ctx.db, product.id, source.id)).sum).toBe(0);
    expect((await ledgerOf(ctx.db, product.id, destination.id)).sum).toBe(moved);
  });

  it('when transfers run both ways between two locations at once, none fails with a deadlock and stock is conserved', async () => {
    const user = manager();
    const { product, location: a } = await stocked(ctx.app, user, 20);
    const b = await createLocation(ctx.app, user);
    await asUser(ctx.app, user)
      .post('/stock/receive')
      .send({ productId: product.id, locationId: b.id, quantity: 20 });
    const statuses = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const [from, to] = i % 2 === 0 ? [a, b] : [b, a];
        const res = await asUser(ctx.app, user)
          .post('/stock/transfer')
          .send({ productId: product.id, fromLocationId: from.id, toLocationId: to.id, quantity: 1 });
        return res.status;
      }),
    );
    expect(count(statuses, 201)).toBe(30);
    const total =
      (await levelOf(ctx.app, product.id, a.id)).onHand + (await levelOf(ctx.app, product.id, b.id)).onHand;
    expect(total).toBe(40);
    expect((await ledgerOf(ctx.db, product.id, a.id)).sum).toBe(
      (await levelOf(ctx.app, product.id, a.id)).onHand,
    );
  });
});
