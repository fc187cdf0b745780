import { describe, expect, it } from 'vitest';
import { asUser, uniqueSuffix } from '@mini/testing';
import { createReservationsService } from '../src/reservations/reservations.service.ts';
import { createStore } from '../src/repositories.ts';
import { ledgerOf, levelOf, manager, reader, stocked, useInventoryApp } from './helpers.ts';

const ctx = useInventoryApp();

async function reserve(body: Record<string, unknown>, user = manager()) {
  return asUser(ctx.app, user).post('/reservations').send(body);
}

/** Time passing, without sleeping: the reservation's expiry is moved into the past. */
async function expire(reservationId: string) {
  await ctx.db.pool.query(`UPDATE reservations SET expires_at = now() - interval '1 second' WHERE id = $1`, [
    reservationId,
  ]);
}

describe('reservations', () => {
  it('when stock is reserved, available drops by it and a shipment cannot take it', async () => {
    const user = manager();
    const { product, location } = await stocked(ctx.app, user, 5);
    const res = await reserve({
      productId: product.id,
      locationId: location.id,
      quantity: 3,
      reference: 'SO-1',
    });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/reservations/${res.body.reservation.id}`);
    expect(res.body.reservation).toMatchObject({
      status: 'active',
      quantity: 3,
      reference: 'SO-1',
      expiresAt: null,
    });
    expect(res.body.level).toMatchObject({ onHand: 5, reserved: 3, available: 2 });
    const ship = await asUser(ctx.app, user)
      .post('/stock/ship')
      .send({ productId: product.id, locationId: location.id, quantity: 3 });
    expect(ship.status).toBe(409);
    expect(ship.body.available).toBe(2);
    const tooMuch = await reserve({ productId: product.id, locationId: location.id, quantity: 3 });
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body).toMatchObject({ code: 'insufficient-stock', available: 2 });
    const got = await asUser(ctx.app, reader()).get(`/reservations/${res.body.reservation.id}`);
    expect(got.body).toEqual(res.body.reservation);
  });

  it('when released, the stock is available again; a second release is 409 reservation-not-active', async () => {
    const user = manager();
    const { product, location } = await stocked(ctx.app, user, 5);
    const { body } = await reserve({ productId: product.id, locationId: location.id, quantity: 5 });
    const released = await asUser(ctx.app, user).post(`/reservations/${body.reservation.id}/release`);
    expect(released.status).toBe(200);
    expect(released.body.reservation.status).toBe('released');
    expect(released.body.level).toMatchObject({ reserved: 0, available: 5 });
    const again = await asUser(ctx.app, user).post(`/reservations/${body.reservation.id}/release`);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'reservation-not-active', reservationStatus: 'released' });
  });

  it('when fulfilled, ships it: a fulfilment movement, on hand and reserved both drop; then it is not active', async () => {
    const user = manager();
    const { product, location } = await stocked(ctx.app, user, 5);
    const { body } = await reserve({
      productId: product.id,
      locationId: location.id,
      quantity: 2,
      reference: 'SO-9',
    });
    const key = `fulfil-${uniqueSuffix()}`;
    const res = await asUser(ctx.app, user)
      .post(`/reservations/${body.reservation.id}/fulfil`)
      .set('Idempotency-Key', key);
    expect(res.status).toBe(200);
    expect(res.body.reservation.status).toBe('fulfilled');
    expect(res.body.movement).toMatchObject({
      type: 'fulfilment',
      quantity: -2,
      reference: 'SO-9',
      reservationId: body.reservation.id,
    });
    expect(res.body.level).toMatchObject({ onHand: 3, reserved: 0, available: 3 });
    const retry = await asUser(ctx.app, user)
      .post(`/reservations/${body.reservation.id}/fulfil`)
      .set('Idempotency-Key', key);
    expect(retry.status).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    const again = await asUser(ctx.app, user).post(`/reservations/${body.reservation.id}/fulfil`);
    expect(again.status).toBe(409);
    expect(again.body.reservationStatus).toBe('fulfilled');
    expect(await ledgerOf(ctx.db, product.id, location.id)).toEqual({ sum: 3, count: 2 });
  });

  it('when a reservation passes its expiry, it stops counting at once, cannot be fulfilled, and the sweep marks it', async () => {
    const user = manager();
    const { product, location } = await stocked(ctx.app, user, 4);
    const { body } = await reserve({
      productId: product.id,
      locationId: location.id,
      quantity: 4,
      expiresInSeconds: 600,
    });
    const expiresIn = Date.parse(body.reservation.expiresAt) - Date.parse(body.reservation.createdAt);
    expect(expiresIn).toBeGreaterThan(590_000);
    expect(expiresIn).toBeLessThan(610_000);
    expect((await levelOf(ctx.app, product.id, location.id)).available).toBe(0);

    await expire(body.reservation.id);
    expect(await levelOf(ctx.app, product.id, location.id)).toMatchObject({ reserved: 0, available: 4 });
    const got = await asUser(ctx.app, reader()).get(`/reservations/${body.reservation.id}`);
    expect(got.body.status).toBe('expired');
    const fulfil = await asUser(ctx.app, user).post(`/reservations/${body.reservation.id}/fulfil`);
    expect(fulfil.status).toBe(409);
    expect(fulfil.body.reservationStatus).toBe('expired');

    // Before any sweep, a shipment may take the stock the expired reservation held.
    const ship = await asUser(ctx.app, user)
      .post('/stock/ship')
      .send({ productId: product.id, locationId: location.id, quantity: 4 });
    expect(ship.status).toBe(201);
    expect(ship.body.level).toMatchObject({ onHand: 0, reserved: 0 });

    const second = await reserve({ productId: product.id, locationId: location.id, quantity: 0 });
    expect(second.status).toBe(422);
  });

  it('the sweep marks due reservations expired and gives their quantity back to the stored level', async () => {
    const user = manager();
    const { product, location } = await stocked(ctx.app, user, 3);
    const { body } = await reserve({
      productId: product.id,
      locationId: location.id,
      quantity: 3,
      expiresInSeconds: 60,
    });
    await expire(body.reservation.id);
    expect(
      await createReservationsService(createStore(ctx.db), { idempotencyTtlMs: 0 }).sweep(),
    ).toBeGreaterThanOrEqual(1);
    const { rows } = await ctx.db.pool.query(
      `SELECT r.status, l.reserved FROM reservations r JOIN stock_levels l USING (product_id, location_id) WHERE r.id = $1`,
      [body.reservation.id],
    );
    expect(rows[0]).toEqual({ status: 'expired', reserved: 0 });
  });

  it('unknown ids: the reservation is 404 on get, release and fulfil; an unknown product or location is 422; a reused key 422', async () => {
    const user = manager();
    const id = crypto.randomUUID();
    for (const [method, path] of [
      ['get', `/reservations/${id}`],
      ['post', `/reservations/${id}/release`],
      ['post', `/reservations/${id}/fulfil`],
    ] as const) {
      const res = await asUser(ctx.app, user)[method](path);
      expect(res.status, path).toBe(404);
      expect(res.body.code).toBe('reservation-not-found');
    }
    const { product, location } = await stocked(ctx.app, user, 2);
    const noProduct = await reserve({ productId: crypto.randomUUID(), locationId: location.id, quantity: 1 });
    expect(noProduct.body.code).toBe('unknown-product');
    const noLocation = await reserve({ productId: product.id, locationId: crypto.randomUUID(), quantity: 1 });
    expect(noLocation.body.code).toBe('unknown-location');
    const key = `reserve-${uniqueSuffix()}`;
    const body = { productId: product.id, locationId: location.id, quantity: 1 };
    const first = await asUser(ctx.app, user).post('/reservations').set('Idempotency-Key', key).send(body);
    const retry = await asUser(ctx.app, user).post('/reservations').set('Idempotency-Key', key).send(body);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    const reused = await asUser(ctx.app, user)
      .post('/reservations')
      .set('Idempotency-Key', key)
      .send({ ...body, quantity: 2 });
    expect(reused.body.code).toBe('idempotency-key-reused');
    expect((await levelOf(ctx.app, product.id, location.id)).reserved).toBe(1);
    expect((await reserve(body, reader())).status).toBe(403);
  });

  it('when 50 reservations of 1 race against a stock of 10, exactly 10 succeed and reserved is 10', async () => {
    const user = manager();
    const { product, location } = await stocked(ctx.app, user, 10);
    const statuses = await Promise.all(
      Array.from(
        { length: 50 },
        async () =>
          (await reserve({ productId: product.id, locationId: location.id, quantity: 1 }, user)).status,
      ),
    );
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(40);
    expect(await levelOf(ctx.app, product.id, location.id)).toMatchObject({
      onHand: 10,
      reserved: 10,
      available: 0,
    });
    expect((await ledgerOf(ctx.db, product.id, location.id)).sum).toBe(10);
  });
});
