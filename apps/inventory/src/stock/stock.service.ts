import { randomUUID } from 'node:crypto';
import { ConflictError, ValidationError } from '@mini/http';
import { idempotent, type IdempotentRequest } from '@mini/idempotency';
import { cursorSequence, cursorUuid, keysetPage, startAfter, type CursorSpec } from '@mini/validation';
import type { Repositories, Store } from '../repositories.ts';
import type { Actor } from '../shared/access.ts';
import { MAX_INT } from '../shared/numbers.ts';
import type { LevelRecord, MovementFilter, MovementRecord } from './stock.repository.ts';

export const insufficientStock = (available = 3) =>
  new ConflictError(`Only ${available} available (on hand minus reserved): nothing was changed.`, {
    code: 'insufficient-stock',
    extensions: { available },
  });

export const quantityTooLarge = () =>
  new ValidationError(`On hand would pass ${MAX_INT}, the largest level this service keeps.`, {
    code: 'quantity-too-large',
    errors: { quantity: [`On hand would pass ${MAX_INT}`] },
  });

export const unknownProduct = (field = 'productId') =>
  new ValidationError('The product does not exist.', {
    code: 'unknown-product',
    errors: { [field]: ['No such product'] },
  });

export const unknownLocation = (field = 'locationId') =>
  new ValidationError('The location does not exist.', {
    code: 'unknown-location',
    errors: { [field]: ['No such location'] },
  });

export const sameLocation = () =>
  new ValidationError('A transfer needs two different locations.', {
    code: 'same-location',
    errors: { toLocationId: ['Must differ from fromLocationId'] },
  });

export interface Level extends LevelRecord {
  available: number;
}

export const toLevel = (level: LevelRecord): Level => ({
  productId: level.productId,
  locationId: level.locationId,
  onHand: level.onHand,
  reserved: level.reserved,
  available: level.onHand - level.reserved,
  incoming: level.incoming,
});

const emptyLevel = (productId: string, locationId: string): LevelRecord => ({
  productId,
  locationId,
  onHand: 0,
  reserved: 0,
  incoming: 0,
});

/** A movement as clients see it (and as an Idempotency-Key stores it): the ledger's seq is internal. */
export type Movement = Omit<MovementRecord, 'seq' | 'createdAt'> & { createdAt: string };

export const toMovement = ({ seq: _seq, ...movement }: MovementRecord): Movement => ({
  ...movement,
  createdAt: movement.createdAt.toISOString(),
});

export interface StockChange {
  movement: Movement;
  level: Level;
}

export interface Transfer {
  transferId: string;
  movements: [Movement, Movement];
  levels: [Level, Level];
}

/** Locks the product (against its deletion) and the locations; the product's unit cost. */
export async function lockReferences(
  tx: Repositories,
  productId: string,
  locations: Array<[field: string, id: string]>,
): Promise<number> {
  const product = await tx.products.lockForStock(productId);
  if (!product) throw unknownProduct();
  for (const [field, id] of locations) {
    if (!(await tx.locations.lockExisting(id))) throw unknownLocation(field);
  }
  return product.unitCost;
}

export async function add(tx: Repositories, productId: string, locationId: string, quantity: number) {
  const level = await tx.stock.addOnHand(productId, locationId, quantity);
  if (!level) throw quantityTooLarge();
  return level;
}

export async function take(tx: Repositories, productId: string, locationId: string, quantity: number) {
  // Reservations past their expiry no longer hold stock: let go of them first.
  await tx.stock.expireDue({ productId, locationId });
  const level = await tx.stock.takeOnHand(productId, locationId, quantity);
  if (level) return level;
  // Read after the refused UPDATE, for the answer only: the decision was the UPDATE's own.
  const current = (await tx.stock.level(productId, locationId)) ?? emptyLevel(productId, locationId);
  throw insufficientStock(current.onHand - current.reserved);
}

export function createStockService(store: Store, options: { idempotencyTtlMs: number }) {
  const { repos } = store;
  const { idempotencyTtlMs: ttlMs } = options;

  /** One stock write: at most once per Idempotency-Key, the level and its movement in one transaction. */
  const write = <T>(request: IdempotentRequest | undefined, perform: (tx: Repositories) => Promise<T>) =>
    idempotent(store, request, { ttlMs, perform });

  return {
    receive(
      actor: Actor,
      input: {
        productId: string;
        locationId: string;
        quantity: number;
        unitCost?: number | undefined;
        reference?: string | undefined;
      },
      request: IdempotentRequest | undefined,
    ) {
      return write(request, async (tx): Promise<StockChange> => {
        const productCost = await lockReferences(tx, input.productId, [['locationId', input.locationId]]);
        const level = await add(tx, input.productId, input.locationId, input.quantity);
        const movement = await tx.stock.appendMovement({
          type: 'receipt',
          productId: input.productId,
          locationId: input.locationId,
          quantity: input.quantity,
          unitCost: input.unitCost ?? productCost,
          reference: input.reference ?? null,
          createdBy: actor.id,
        });
        return { movement: toMovement(movement), level: toLevel(level) };
      });
    },

    ship(
      actor: Actor,
      input: { productId: string; locationId: string; quantity: number; reference?: string | undefined },
      request: IdempotentRequest | undefined,
    ) {
      return write(request, async (tx): Promise<StockChange> => {
        await lockReferences(tx, input.productId, [['locationId', input.locationId]]);
        const level = await take(tx, input.productId, input.locationId, input.quantity);
        const movement = await tx.stock.appendMovement({
          type: 'shipment',
          productId: input.productId,
          locationId: input.locationId,
          quantity: -input.quantity,
          reference: input.reference ?? null,
          createdBy: actor.id,
        });
        return { movement: toMovement(movement), level: toLevel(level) };
      });
    },

    adjust(
      actor: Actor,
      input: {
        productId: string;
        locationId: string;
        quantity: number;
        reason: string;
        reference?: string | undefined;
      },
      request: IdempotentRequest | undefined,
    ) {
      return write(request, async (tx): Promise<StockChange> => {
        await lockReferences(tx, input.productId, [['locationId', input.locationId]]);
        const level =
          input.quantity > 0
            ? await add(tx, input.productId, input.locationId, input.quantity)
            : await take(tx, input.productId, input.locationId, -input.quantity);
        const movement = await tx.stock.appendMovement({
          type: 'adjustment',
          productId: input.productId,
          locationId: input.locationId,
          quantity: input.quantity,
          reason: input.reason,
          reference: input.reference ?? null,
          createdBy: actor.id,
        });
        return { movement: toMovement(movement), level: toLevel(level) };
      });
    },

    transfer(
      actor: Actor,
      input: {
        productId: string;
        fromLocationId: string;
        toLocationId: string;
        quantity: number;
        reference?: string | undefined;
      },
      request: IdempotentRequest | undefined,
    ) {
      if (input.fromLocationId === input.toLocationId) throw sameLocation();
      return write(request, async (tx): Promise<Transfer> => {
        const { productId, fromLocationId, toLocationId, quantity } = input;
        await lockReferences(tx, productId, [
          ['fromLocationId', fromLocationId],
          ['toLocationId', toLocationId],
        ]);
        // Due reservations are let go of before the level rows are locked: reservation rows before level
        // rows, the order of every other stock write.
        await tx.stock.expireDue({ productId, locationId: fromLocationId });
        await tx.stock.lockLevels(productId, [fromLocationId, toLocationId]);
        const from = await take(tx, productId, fromLocationId, quantity);
        const to = await add(tx, productId, toLocationId, quantity);
        const transferId = randomUUID();
        const leg = { type: 'transfer' as const, productId, transferId, reference: input.reference ?? null };
        const out = await tx.stock.appendMovement({
          ...leg,
          locationId: fromLocationId,
          quantity: -quantity,
          createdBy: actor.id,
        });
        const into = await tx.stock.appendMovement({
          ...leg,
          locationId: toLocationId,
          quantity,
          createdBy: actor.id,
        });
        return {
          transferId,
          movements: [toMovement(out), toMovement(into)],
          levels: [toLevel(from), toLevel(to)],
        };
      });
    },

    async levels(options: {
      productId?: string | undefined;
      locationId?: string | undefined;
      limit: number;
      cursor?: string | undefined;
    }) {
      const spec: CursorSpec<string> = {
        list: { levels: { productId: options.productId ?? null, locationId: options.locationId ?? null } },
        value: cursorUuid,
        id: cursorUuid,
      };
      const after = startAfter(options.cursor, spec);
      const rows = await repos.stock.levels({
        productId: options.productId,
        locationId: options.locationId,
        after: after && { productId: after.v, locationId: after.id },
        take: options.limit + 1,
      });
      const page = keysetPage(rows, options.limit, spec, (last) => ({
        v: last.productId,
        id: last.locationId,
      }));
      return { items: page.items.map(toLevel), nextCursor: page.nextCursor };
    },

    async movements(filter: MovementFilter & { limit: number; cursor?: string | undefined }) {
      const { limit, cursor, ...where } = filter;
      const spec: CursorSpec<string> = {
        list: {
          movements: {
            productId: where.productId ?? null,
            locationId: where.locationId ?? null,
            type: where.type ?? null,
            from: where.from?.toISOString() ?? null,
            to: where.to?.toISOString() ?? null,
          },
        },
        value: cursorSequence,
        id: cursorUuid,
      };
      const after = startAfter(cursor, spec);
      const rows = await repos.stock.movements(where, { beforeSeq: after?.v ?? null, take: limit + 1 });
      const page = keysetPage(rows, limit, spec, (last) => ({ v: last.seq, id: last.id }));
      return { items: page.items.map(toMovement), nextCursor: page.nextCursor };
    },
  };
}

export type StockService = ReturnType<typeof createStockService>;
