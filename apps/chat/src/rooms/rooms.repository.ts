import type { DbClient } from '../db.ts';
import type { RoomRole, RoomVisibility } from '../generated/prisma/enums.ts';

export interface RoomRecord {
  id: string;
  name: string | null;
  visibility: RoomVisibility;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

/** A room as one user sees it: with their role (null when they are not a member). */
export interface RoomView extends RoomRecord {
  role: RoomRole | null;
}

/** With the user's unread count (null when they are not a member: there is no read cursor). */
export interface RoomListItem extends RoomView {
  unreadCount: number | null;
}

const roomSelect = {
  id: true,
  name: true,
  visibility: true,
  createdBy: true,
  createdAt: true,
  updatedAt: true,
} as const;

export function roomsRepository(db: DbClient) {
  return {
    async create(input: {
      name: string | null;
      visibility: RoomVisibility;
      createdBy: string;
      directKey?: string;
    }): Promise<RoomRecord> {
      return db.room.create({ data: input, select: roomSelect });
    },

    async find(id: string): Promise<RoomRecord | null> {
      return db.room.findUnique({ where: { id }, select: roomSelect });
    },

    async findDirect(directKey: string): Promise<RoomRecord | null> {
      return db.room.findUnique({ where: { directKey }, select: roomSelect });
    },

    /**
     * The room, its row locked until the transaction ends: every membership change locks it first, so two
     * of them (the last two owners leaving at once) run one after the other and see each other's result.
     */
    async lock(id: string): Promise<RoomRecord | null> {
      const rows = await db.$queryRaw<Array<{ id: string }>>`
        SELECT id FROM rooms WHERE id = ${id}::uuid FOR UPDATE`;
      if (rows.length === 0) return null;
      return db.room.findUnique({ where: { id }, select: roomSelect });
    },

    /** Public rooms and the user's own rooms, newest first. */
    async listVisible(
      userId: string,
      options: { after: { createdAt: Date; id: string } | null; take: number },
    ): Promise<RoomView[]> {
      const after = options.after;
      const rows = await db.room.findMany({
        where: {
          OR: [{ visibility: 'public' }, { members: { some: { userId } } }],
          ...(after && {
            AND: [
              {
                OR: [
                  { createdAt: { lt: after.createdAt } },
                  { createdAt: after.createdAt, id: { lt: after.id } },
                ],
              },
            ],
          }),
        },
        select: { ...roomSelect, members: { where: { userId }, select: { role: true } } },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: options.take,
      });
      return rows.map(({ members, ...room }) => ({ ...room, role: members[0]?.role ?? null }));
    },

    async rename(id: string, name: string): Promise<RoomRecord> {
      return db.room.update({ where: { id }, data: { name }, select: roomSelect });
    },

    async delete(id: string): Promise<void> {
      await db.room.delete({ where: { id } });
    },
  };
}
