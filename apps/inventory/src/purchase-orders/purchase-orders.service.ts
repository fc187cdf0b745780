import { ConflictError, NotFoundError, ValidationError } from '@mini/http';
import { idempotent, type IdempotentRequest } from '@mini/idempotency';
import { cursorDate, cursorUuid, keysetPage, startAfter, type CursorSpec } from '@mini/validation';
import type { PurchaseOrderStatus } from '../generated/prisma/client.ts';
import type { Repositories, Store } from '../repositories.ts';
import type { Actor } from '../shared/access.ts';
import { add, toMovement, unknownLocation, unknownProduct } from '../stock/stock.service.ts';
import type { PurchaseOrderRecord } from './purchase-orders.repository.ts';

export const purchaseOrderNotFound = () =>
  new NotFoundError('The purchase order was not found.', { code: 'purchase-order-not-found' });

export const wrongStatus = (status = 'draft', action = 'receive') =>
  new ConflictError(`A ${status.replace('_', ' ')} purchase order cannot ${action}.`, {
    code: 'purchase-order-status',
    extensions: { purchaseOrderStatus: status },
  });

export const overReceipt = (index = 0) =>
  new ValidationError('A line would receive more than was ordered: nothing was received.', {
    code: 'over-receipt',
    errors: { [`lines.${index}.quantity`]: ['More than is still to come on this line'] },
  });

export const unknownLine = (index = 0) =>
  new ValidationError('A line is not one of this purchase order, or is named twice.', {
    code: 'unknown-line',
    errors: { [`lines.${index}.lineId`]: ['Not a line of this purchase order, or named twice'] },
  });

export const toPurchaseOrder = (order: PurchaseOrderRecord) => ({
  ...order,
  createdAt: order.createdAt.toISOString(),
  updatedAt: order.updatedAt.toISOString(),
});

async function lockOrder(tx: Repositories, id: string) {
  const order = await tx.purchaseOrders.lockForUpdate(id);
  if (!order) throw purchaseOrderNotFound();
  return order;
}

export function createPurchaseOrdersService(store: Store, options: { idempotencyTtlMs: number }) {
  const { repos } = store;
  const ttlMs = options.idempotencyTtlMs;

  return {
    async create(
      actor: Actor,
      input: {
        locationId: string;
        reference?: string | undefined;
        lines: Array<{ productId: string; quantity: number; unitCost?: number | undefined }>;
      },
    ) {
      return store.transaction(async (tx) => {
        if (!(await tx.locations.lockExisting(input.locationId))) throw unknownLocation();
        const lines = [];
        for (const [index, line] of input.lines.entries()) {
          const product = await tx.products.lockForStock(line.productId);
          if (!product) throw unknownProduct(`lines.${index}.productId`);
          lines.push({ ...line, unitCost: line.unitCost ?? product.unitCost });
        }
        const order = await tx.purchaseOrders.create({
          locationId: input.locationId,
          reference: input.reference ?? null,
          createdBy: actor.id,
          lines,
        });
        return toPurchaseOrder(order);
      });
    },

    async get(id: string) {
      const order = await repos.purchaseOrders.find(id);
      if (!order) throw purchaseOrderNotFound();
      return toPurchaseOrder(order);
    },

    async list(options: {
      limit: number;
      cursor?: string | undefined;
      status?: PurchaseOrderStatus | undefined;
    }) {
      const spec: CursorSpec<string> = {
        list: { purchaseOrders: options.status ?? null },
        value: cursorDate,
        id: cursorUuid,
      };
      const after = startAfter(options.cursor, spec);
      const rows = await repos.purchaseOrders.list({
        status: options.status,
        before: after && { createdAt: new Date(after.v), id: after.id },
        take: options.limit + 1,
      });
      const page = keysetPage(rows, options.limit, spec, (last) => ({
        v: last.createdAt.toISOString(),
        id: last.id,
      }));
      return { items: page.items.map(toPurchaseOrder), nextCursor: page.nextCursor };
    },

    async submit(id: string) {
      return store.transaction(async (tx) => {
        const order = await lockOrder(tx, id);
        if (order.status !== 'draft') throw wrongStatus(order.status, 'be submitted');
        // Its lines count as incoming from now on: their levels must exist for GET /stock to show them.
        await tx.stock.ensureLevels(
          order.lines.map((line) => line.productId),
          order.locationId,
        );
        return toPurchaseOrder(await tx.purchaseOrders.setStatus(id, 'submitted'));
      });
    },

    async cancel(id: string) {
      return store.transaction(async (tx) => {
        const order = await lockOrder(tx, id);
        if (order.status === 'received' || order.status === 'cancelled') {
          throw wrongStatus(order.status, 'be cancelled');
        }
        return toPurchaseOrder(await tx.purchaseOrders.setStatus(id, 'cancelled'));
      });
    },

    /** Receives part or all of some lines: a purchase_receipt movement per line at the line's cost. */
    receive(
      actor: Actor,
      id: string,
      input: { lines: Array<{ lineId: string; quantity: number }> },
      request: IdempotentRequest | undefined,
    ) {
      return idempotent(store, request, {
        ttlMs,
        status: 200,
        perform: async (tx) => {
          // The order's lock queues receipts of one order, so two can never both take the last units.
          const order = await lockOrder(tx, id);
          if (order.status !== 'submitted' && order.status !== 'partially_received') {
            throw wrongStatus(order.status, 'receive');
          }
          const byId = new Map(order.lines.map((line) => [line.id, line]));
          const seen = new Set<string>();
          for (const [index, wanted] of input.lines.entries()) {
            const line = byId.get(wanted.lineId);
            if (!line || seen.has(wanted.lineId)) throw unknownLine(index);
            seen.add(wanted.lineId);
            if (line.receivedQuantity + wanted.quantity > line.quantity) throw overReceipt(index);
          }
          // Level rows in product order, the same order for every receipt: no deadlock between two orders.
          const receipts = input.lines
            .map((wanted) => ({ line: byId.get(wanted.lineId)!, quantity: wanted.quantity }))
            .sort((a, b) => (a.line.productId < b.line.productId ? -1 : 1));
          const movements = [];
          for (const { line, quantity } of receipts) {
            await tx.products.lockForStock(line.productId);
            await add(tx, line.productId, order.locationId, quantity);
            await tx.purchaseOrders.addReceived(line.id, quantity);
            const movement = await tx.stock.appendMovement({
              type: 'purchase_receipt',
              productId: line.productId,
              locationId: order.locationId,
              quantity,
              unitCost: line.unitCost,
              reference: order.reference,
              purchaseOrderLineId: line.id,
              createdBy: actor.id,
            });
            movements.push(toMovement(movement));
          }
          const after = (await tx.purchaseOrders.find(id))!;
          const complete = after.lines.every((line) => line.receivedQuantity === line.quantity);
          const updated = await tx.purchaseOrders.setStatus(id, complete ? 'received' : 'partially_received');
          return { purchaseOrder: toPurchaseOrder(updated), movements };
        },
      });
    },
  };
}

export type PurchaseOrdersService = ReturnType<typeof createPurchaseOrdersService>;
