import type { DbClient } from '../db.ts';
import type { ReservationStatus } from '../generated/prisma/client.ts';

export interface ReservationRecord {
  id: string;
  productId: string;
  locationId: string;
  quantity: number;
  status: ReservationStatus;
  reference: string | null;
  expiresAt: Date | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

const select = {
  id: true,
  productId: true,
  locationId: true,
  quantity: true,
  status: true,
  reference: true,
  expiresAt: true,
  createdBy: true,
  createdAt: true,
  updatedAt: true,
} as const;

export function reservationsRepository(db: DbClient) {
  return {
    async create(input: {
      productId: string;
      locationId: string;
      quantity: number;
      reference: string | null;
      expiresInSeconds: number | null;
      createdBy: string;
    }): Promise<ReservationRecord> {
      const { expiresInSeconds, ...data } = input;
      // The expiry is computed by the database clock, the one every expiry check reads.
      const created = await db.reservation.create({ data, select: { id: true } });
      if (expiresInSeconds !== null) {
        await db.$executeRaw`
          UPDATE reservations SET expires_at = now() + make_interval(secs => ${expiresInSeconds})
          WHERE id = ${created.id}::uuid`;
      }
      return db.reservation.findUniqueOrThrow({ where: { id: created.id }, select });
    },

    async find(id: string): Promise<ReservationRecord | null> {
      return db.reservation.findUnique({ where: { id }, select });
    },

    /** The reservation locked FOR UPDATE, and whether it is past its expiry by the database clock. */
    async lockForUpdate(id: string): Promise<{ reservation: ReservationRecord; due: boolean } | null> {
      const rows = await db.$queryRaw<Array<{ due: boolean }>>`
        SELECT coalesce(expires_at <= now(), false) AS due FROM reservations WHERE id = ${id}::uuid FOR UPDATE`;
      const row = rows[0];
      if (!row) return null;
      return { reservation: await db.reservation.findUniqueOrThrow({ where: { id }, select }), due: row.due };
    },

    async setStatus(id: string, status: ReservationStatus): Promise<ReservationRecord> {
      return db.reservation.update({ where: { id }, data: { status, updatedAt: new Date() }, select });
    },
  };
}
