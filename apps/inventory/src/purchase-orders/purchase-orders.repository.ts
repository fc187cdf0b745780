import type { DbClient } from '../db.ts';
import type { PurchaseOrderStatus } from '../generated/prisma/client.ts';

export interface PurchaseOrderLineRecord {
  id: string;
  productId: string;
  quantity: number;
  unitCost: number;
  receivedQuantity: number;
}

export interface PurchaseOrderRecord {
  id: string;
  status: PurchaseOrderStatus;
  locationId: string;
  reference: string | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  lines: PurchaseOrderLineRecord[];
}

const select = {
  id: true,
  status: true,
  locationId: true,
  reference: true,
  createdBy: true,
  createdAt: true,
  updatedAt: true,
  lines: {
    select: { id: true, productId: true, quantity: true, unitCost: true, receivedQuantity: true },
    orderBy: { position: 'asc' },
  },
} as const;

export function purchaseOrdersRepository(db: DbClient) {
  return {
    async create(input: {
      locationId: string;
      reference: string | null;
      createdBy: string;
      lines: Array<{ productId: string; quantity: number; unitCost: number }>;
    }): Promise<PurchaseOrderRecord> {
      const { lines, ...order } = input;
      return db.purchaseOrder.create({
        data: { ...order, lines: { create: lines.map((line, position) => ({ ...line, position })) } },
        select,
      });
    },

    async find(id: string): Promise<PurchaseOrderRecord | null> {
      return db.purchaseOrder.findUnique({ where: { id }, select });
    },

    /** Newest first, keyset on (created_at, id). */
    async list(options: {
      status: PurchaseOrderStatus | undefined;
      before: { createdAt: Date; id: string } | null;
      take: number;
    }): Promise<PurchaseOrderRecord[]> {
      const { before } = options;
      return db.purchaseOrder.findMany({
        where: {
          ...(options.status !== undefined && { status: options.status }),
          ...(before && {
            OR: [
              { createdAt: { lt: before.createdAt } },
              { createdAt: before.createdAt, id: { lt: before.id } },
            ],
          }),
        },
        select,
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: options.take,
      });
    },

    /** The order locked FOR UPDATE: its status changes and receipts queue on it. */
    async lockForUpdate(id: string): Promise<PurchaseOrderRecord | null> {
      const rows = await db.$queryRaw<Array<{ id: string }>>`
        SELECT id FROM purchase_orders WHERE id = ${id}::uuid FOR UPDATE`;
      return rows.length === 1 ? db.purchaseOrder.findUnique({ where: { id }, select }) : null;
    },

    async setStatus(id: string, status: PurchaseOrderStatus): Promise<PurchaseOrderRecord> {
      return db.purchaseOrder.update({ where: { id }, data: { status, updatedAt: new Date() }, select });
    },

    async addReceived(lineId: string, quantity: number): Promise<void> {
      await db.purchaseOrderLine.update({
        where: { id: lineId },
        data: { receivedQuantity: { increment: quantity } },
      });
    },
  };
}
