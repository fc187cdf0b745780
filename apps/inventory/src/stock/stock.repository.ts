import type { DbClient, SqlRunner } from '../db.ts';
import { Prisma, type MovementType } from '../generated/prisma/client.ts';
import { MAX_INT } from '../shared/numbers.ts';

export interface LevelRecord {
  productId: string;
  locationId: string;
  onHand: number;
  reserved: number;
  incoming: number;
}

export interface MovementRecord {
  seq: string;
  id: string;
  type: MovementType;
  productId: string;
  locationId: string;
  quantity: number;
  unitCost: number | null;
  reason: string | null;
  reference: string | null;
  transferId: string | null;
  reservationId: string | null;
  purchaseOrderLineId: string | null;
  createdBy: string;
  createdAt: Date;
}

export interface NewMovement {
  type: MovementType;
  productId: string;
  locationId: string;
  quantity: number;
  unitCost?: number | null;
  reason?: string | null;
  reference?: string | null;
  transferId?: string | null;
  reservationId?: string | null;
  purchaseOrderLineId?: string | null;
  createdBy: string;
}

export interface MovementFilter {
  productId?: string | undefined;
  locationId?: string | undefined;
  type?: MovementType | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

// Open purchase-order quantities on their way to a level: what its `incoming` says.
const incomingOf = (t: string) => Prisma.sql`coalesce((
    SELECT sum(pl.quantity - pl.received_quantity) FROM purchase_order_lines pl
    JOIN purchase_orders po ON po.id = pl.purchase_order_id
    WHERE pl.product_id = ${Prisma.raw(t)}.product_id AND po.location_id = ${Prisma.raw(t)}.location_id
      AND po.status IN ('submitted', 'partially_received')), 0)::int AS incoming`;

const levelColumns = Prisma.sql`product_id AS "productId", location_id AS "locationId", on_hand AS "onHand", reserved,
  ${incomingOf('stock_levels')}`;

// A reservation past its expiry stops counting at once, before the sweep marks it: reads subtract it.
const liveLevelColumns = Prisma.sql`l.product_id AS "productId", l.location_id AS "locationId", l.on_hand AS "onHand",
  l.reserved - coalesce((
    SELECT sum(r.quantity) FROM reservations r
    WHERE r.product_id = l.product_id AND r.location_id = l.location_id
      AND r.status = 'active' AND r.expires_at <= now()), 0)::int AS reserved,
  ${incomingOf('l')}`;

const movementSelect = {
  seq: true,
  id: true,
  type: true,
  productId: true,
  locationId: true,
  quantity: true,
  unitCost: true,
  reason: true,
  reference: true,
  transferId: true,
  reservationId: true,
  purchaseOrderLineId: true,
  createdBy: true,
  createdAt: true,
} as const;

/**
 * Stock levels change only here, and only by single conditional statements: Postgres takes the row lock and
 * re-checks the condition on the current row, so concurrent writers queue on the row and each one sees what
 * the one before it committed. There is never a read in JavaScript followed by a write.
 */
export function stockRepository(db: DbClient, sql: SqlRunner) {
  return {
    /**
     * Adds to on hand (creating the level at its first receipt). Null, changing nothing, when the level would
     * pass the largest integer a column holds.
     */
    async addOnHand(productId: string, locationId: string, quantity: number): Promise<LevelRecord | null> {
      const rows = await sql.query<LevelRecord>(Prisma.sql`
        INSERT INTO stock_levels (product_id, location_id, on_hand)
        VALUES (${productId}::uuid, ${locationId}::uuid, ${quantity})
        ON CONFLICT (product_id, location_id) DO UPDATE
          SET on_hand = stock_levels.on_hand + EXCLUDED.on_hand, updated_at = now()
          WHERE stock_levels.on_hand <= ${MAX_INT} - EXCLUDED.on_hand
        RETURNING ${levelColumns}`);
      return rows[0] ?? null;
    },

    /** Takes from on hand if that much is available (on hand - reserved); null, changing nothing, if not. */
    async takeOnHand(productId: string, locationId: string, quantity: number): Promise<LevelRecord | null> {
      const rows = await sql.query<LevelRecord>(Prisma.sql`
        UPDATE stock_levels SET on_hand = on_hand - ${quantity}, updated_at = now()
        WHERE product_id = ${productId}::uuid AND location_id = ${locationId}::uuid
          AND on_hand - reserved >= ${quantity}
        RETURNING ${levelColumns}`);
      return rows[0] ?? null;
    },

    /**
     * Locks the levels of one product at several locations, creating missing ones, in location id order:
     * two transfers between the same locations in opposite directions then lock in the same order and
     * never deadlock.
     */
    async lockLevels(productId: string, locationIds: string[]): Promise<void> {
      const ids = [...new Set(locationIds)].sort();
      await sql.query(Prisma.sql`
        INSERT INTO stock_levels (product_id, location_id)
        SELECT ${productId}::uuid, unnest(${ids}::uuid[])
        ON CONFLICT (product_id, location_id) DO NOTHING`);
      await sql.query(Prisma.sql`
        SELECT 1 FROM stock_levels
        WHERE product_id = ${productId}::uuid AND location_id = ANY(${ids}::uuid[])
        ORDER BY location_id FOR UPDATE`);
    },

    /** Creates the levels that do not exist yet (at 0), so that incoming stock shows before it arrives. */
    async ensureLevels(productIds: string[], locationId: string): Promise<void> {
      await sql.query(Prisma.sql`
        INSERT INTO stock_levels (product_id, location_id)
        SELECT unnest(${[...new Set(productIds)]}::uuid[]), ${locationId}::uuid
        ON CONFLICT (product_id, location_id) DO NOTHING`);
    },

    async level(productId: string, locationId: string): Promise<LevelRecord | null> {
      const rows = await sql.query<LevelRecord>(Prisma.sql`
        SELECT ${liveLevelColumns} FROM stock_levels l
        WHERE l.product_id = ${productId}::uuid AND l.location_id = ${locationId}::uuid`);
      return rows[0] ?? null;
    },

    /**
     * Marks the active reservations past their expiry as expired and takes them out of their levels'
     * `reserved`, for one level (before every write that takes from it) or all of them (the sweep). The
     * reservation rows are locked before the level rows, the order every reservation write uses.
     */
    async expireDue(scope: { productId: string; locationId: string } | null): Promise<number> {
      const where = scope
        ? Prisma.sql`AND product_id = ${scope.productId}::uuid AND location_id = ${scope.locationId}::uuid`
        : Prisma.empty;
      const rows = await sql.query<{ expired: number }>(Prisma.sql`
        WITH due AS (
          UPDATE reservations SET status = 'expired', updated_at = now()
          WHERE status = 'active' AND expires_at <= now() ${where}
          RETURNING product_id, location_id, quantity
        ), per_level AS (
          SELECT product_id, location_id, sum(quantity)::int AS quantity, count(*)::int AS n FROM due
          GROUP BY product_id, location_id
        ), updated AS (
          UPDATE stock_levels l SET reserved = l.reserved - p.quantity, updated_at = now()
          FROM per_level p WHERE l.product_id = p.product_id AND l.location_id = p.location_id
          RETURNING p.n
        )
        SELECT coalesce(sum(n), 0)::int AS expired FROM updated`);
      return rows[0]?.expired ?? 0;
    },

    /** Holds `quantity` if that much is available; null, changing nothing, if not. */
    async reserve(productId: string, locationId: string, quantity: number): Promise<LevelRecord | null> {
      const rows = await sql.query<LevelRecord>(Prisma.sql`
        UPDATE stock_levels SET reserved = reserved + ${quantity}, updated_at = now()
        WHERE product_id = ${productId}::uuid AND location_id = ${locationId}::uuid
          AND on_hand - reserved >= ${quantity}
        RETURNING ${levelColumns}`);
      return rows[0] ?? null;
    },

    /** Lets go of a held quantity (a release). */
    async unreserve(productId: string, locationId: string, quantity: number): Promise<LevelRecord> {
      const rows = await sql.query<LevelRecord>(Prisma.sql`
        UPDATE stock_levels SET reserved = reserved - ${quantity}, updated_at = now()
        WHERE product_id = ${productId}::uuid AND location_id = ${locationId}::uuid
        RETURNING ${levelColumns}`);
      return rows[0] as LevelRecord;
    },

    /** Ships a held quantity: on hand and reserved both drop (always possible: reserved <= on hand). */
    async shipReserved(productId: string, locationId: string, quantity: number): Promise<LevelRecord> {
      const rows = await sql.query<LevelRecord>(Prisma.sql`
        UPDATE stock_levels SET on_hand = on_hand - ${quantity}, reserved = reserved - ${quantity},
          updated_at = now()
        WHERE product_id = ${productId}::uuid AND location_id = ${locationId}::uuid
        RETURNING ${levelColumns}`);
      return rows[0] as LevelRecord;
    },

    /** Levels by (product, location), keyset on that pair. */
    async levels(options: {
      productId?: string | undefined;
      locationId?: string | undefined;
      after: { productId: string; locationId: string } | null;
      take: number;
    }): Promise<LevelRecord[]> {
      const { after } = options;
      const conditions = [
        options.productId !== undefined && Prisma.sql`l.product_id = ${options.productId}::uuid`,
        options.locationId !== undefined && Prisma.sql`l.location_id = ${options.locationId}::uuid`,
        after &&
          Prisma.sql`(l.product_id, l.location_id) > (${after.productId}::uuid, ${after.locationId}::uuid)`,
      ].filter((condition): condition is Prisma.Sql => condition !== false && condition !== null);
      const where =
        conditions.length > 0 ? Prisma.sql`WHERE ${Prisma.join(conditions, ' AND ')}` : Prisma.empty;
      return sql.query<LevelRecord>(Prisma.sql`
        SELECT ${liveLevelColumns} FROM stock_levels l ${where}
        ORDER BY l.product_id, l.location_id LIMIT ${options.take}`);
    },

    async appendMovement(movement: NewMovement): Promise<MovementRecord> {
      const row = await db.stockMovement.create({ data: movement, select: movementSelect });
      return { ...row, seq: row.seq.toString() };
    },

    /** The ledger, newest first, keyset on seq. */
    async movements(
      filter: MovementFilter,
      options: { beforeSeq: string | null; take: number },
    ): Promise<MovementRecord[]> {
      const rows = await db.stockMovement.findMany({
        where: {
          ...(filter.productId !== undefined && { productId: filter.productId }),
          ...(filter.locationId !== undefined && { locationId: filter.locationId }),
          ...(filter.type !== undefined && { type: filter.type }),
          ...((filter.from !== undefined || filter.to !== undefined) && {
            createdAt: {
              ...(filter.from !== undefined && { gte: filter.from }),
              ...(filter.to !== undefined && { lt: filter.to }),
            },
          }),
          ...(options.beforeSeq !== null && { seq: { lt: BigInt(options.beforeSeq) } }),
        },
        select: movementSelect,
        orderBy: { seq: 'desc' },
        take: options.take,
      });
      return rows.map((row) => ({ ...row, seq: row.seq.toString() }));
    },

    /** Whether the product has ever moved (then it is set inactive instead of deleted). */
    async productHasMovements(productId: string): Promise<boolean> {
      const row = await db.stockMovement.findFirst({ where: { productId }, select: { id: true } });
      return row !== null;
    },
  };
}
