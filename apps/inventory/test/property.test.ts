import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { asUser } from '@mini/testing';
import { createLocation, createProduct, ledgerOf, levelOf, manager, useInventoryApp } from './helpers.ts';

// A random sequence of stock operations (purchase-order receipts included) against the real service and Postgres, next to a tiny model of what
// the ledger must say. After every step, at both locations: on hand equals the sum of the movements, what the
// API reports equals the model, and available is never negative. fast-check shrinks a failing sequence to
// the shortest one that still fails, which the failure message prints.
const ctx = useInventoryApp();

const loc = fc.constantFrom(0, 1);
const qty = fc.integer({ min: 1, max: 12 });
const op = fc.oneof(
  fc.record({ kind: fc.constant('receive' as const), loc, qty }),
  fc.record({ kind: fc.constant('ship' as const), loc, qty }),
  fc.record({
    kind: fc.constant('adjust' as const),
    loc,
    qty: fc.integer({ min: -12, max: 12 }).filter((q) => q !== 0),
  }),
  fc.record({ kind: fc.constant('transfer' as const), loc, qty }),
  fc.record({ kind: fc.constant('reserve' as const), loc, qty }),
  fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('fulfil' as const), pick: fc.nat() }),
  // A purchase order for qty, submitted, then received in `parts` receipts (the last one takes the rest).
  fc.record({ kind: fc.constant('purchase' as const), loc, qty, parts: fc.integer({ min: 1, max: 3 }) }),
);

interface Held {
  id: string;
  loc: number;
  qty: number;
  active: boolean;
}

describe('the ledger under random operations', () => {
  it('keeps on hand = sum of movements, matches the model, and never lets available go below 0', async () => {
    const user = manager();
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 14 }), async (ops) => {
        const product = await createProduct(ctx.app, user);
        const locations = [await createLocation(ctx.app, user), await createLocation(ctx.app, user)];
        const onHand = [0, 0];
        const reserved = [0, 0];
        const held: Held[] = [];
        const available = (l: number) => onHand[l]! - reserved[l]!;
        const post = (path: string, body: object = {}) => asUser(ctx.app, user).post(path).send(body);
        const at = (l: number) => ({ productId: product.id, locationId: locations[l]!.id });

        for (const o of ops) {
          let res;
          let ok: boolean;
          switch (o.kind) {
            case 'receive':
              res = await post('/stock/receive', { ...at(o.loc), quantity: o.qty });
              ok = true;
              onHand[o.loc]! += o.qty;
              break;
            case 'ship':
            case 'adjust': {
              const out = o.kind === 'ship' ? o.qty : -o.qty;
              res =
                o.kind === 'ship'
                  ? await post('/stock/ship', { ...at(o.loc), quantity: o.qty })
                  : await post('/stock/adjust', { ...at(o.loc), quantity: o.qty, reason: 'property test' });
              ok = out <= 0 || available(o.loc) >= out;
              if (ok) onHand[o.loc]! -= out;
              break;
            }
            case 'transfer': {
              const to = 1 - o.loc;
              res = await post('/stock/transfer', {
                productId: product.id,
                fromLocationId: locations[o.loc]!.id,
                toLocationId: locations[to]!.id,
                quantity: o.qty,
              });
              ok = available(o.loc) >= o.qty;
              if (ok) {
                onHand[o.loc]! -= o.qty;
                onHand[to]! += o.qty;
              }
              break;
            }
            case 'reserve':
              res = await post('/reservations', { ...at(o.loc), quantity: o.qty });
              ok = available(o.loc) >= o.qty;
              if (ok) {
                reserved[o.loc]! += o.qty;
                held.push({ id: res.body.reservation.id, loc: o.loc, qty: o.qty, active: true });
              }
              break;
            case 'purchase': {
              const order = await post('/purchase-orders', {
                locationId: locations[o.loc]!.id,
                lines: [{ productId: product.id, quantity: o.qty }],
              });
              res = await post(`/purchase-orders/${order.body.id}/submit`);
              let left = o.qty;
              for (let part = 1; part <= o.parts && left > 0; part++) {
                const quantity = part === o.parts ? left : Math.ceil(left / 2);
                res = await post(`/purchase-orders/${order.body.id}/receive`, {
                  lines: [{ lineId: order.body.lines[0].id, quantity }],
                });
                expect(res.status).toBe(200);
                left -= quantity;
                onHand[o.loc]! += quantity;
              }
              ok = true;
              break;
            }
            case 'release':
            case 'fulfil': {
              const h = held[o.pick % Math.max(held.length, 1)];
              if (!h) continue;
              res = await post(`/reservations/${h.id}/${o.kind}`);
              ok = h.active;
              if (ok) {
                h.active = false;
                reserved[h.loc]! -= h.qty;
                if (o.kind === 'fulfil') onHand[h.loc]! -= h.qty;
              }
              break;
            }
          }
          expect(res.status, `${JSON.stringify(o)}: ${JSON.stringify(res.body)}`).toBe(
            ok ? (o.kind === 'release' || o.kind === 'fulfil' || o.kind === 'purchase' ? 200 : 201) : 409,
          );

          for (const l of [0, 1]) {
            const level = await levelOf(ctx.app, product.id, locations[l]!.id);
            expect(level.onHand).toBe(onHand[l]);
            expect(level.reserved).toBe(reserved[l]);
            expect(level.available).toBeGreaterThanOrEqual(0);
            expect(level.incoming).toBe(0);
            expect((await ledgerOf(ctx.db, product.id, locations[l]!.id)).sum).toBe(level.onHand);
          }
        }
      }),
      { numRuns: 25 },
    );
    // Some hundreds of requests: far more than the default 5 s allows on a loaded machine.
  }, 120_000);
});
