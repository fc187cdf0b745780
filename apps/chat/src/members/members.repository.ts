import type { DbClient } from '../db.ts';
import type { RoomRole } from '../generated/prisma/enums.ts';

export interface MemberRecord {
  userId: string;
  role: RoomRole;
  joinedAt: Date;
}

const memberSelect = { userId: true, role: true, joinedAt: true } as const;

export function membersRepository(db: DbClient) {
  return {
    async find(roomId: string, userId: string): Promise<MemberRecord | null> {
      return db.roomMember.findUnique({ where: { roomId_userId: { roomId, userId } }, select: memberSelect });
    },

    /** Under the room's lock (rooms.lock), so that "already a member" was checked just before. */
    async add(roomId: string, userId: string, role: RoomRole): Promise<MemberRecord> {
      return db.roomMember.create({ data: { roomId, userId, role }, select: memberSelect });
    },

    async list(
      roomId: string,
      options: { after: { joinedAt: Date; userId: string } | null; take: number },
    ): Promise<MemberRecord[]> {
      const after = options.after;
      return db.roomMember.findMany({
        where: {
          roomId,
          ...(after && {
            OR: [
              { joinedAt: { gt: after.joinedAt } },
              { joinedAt: after.joinedAt, userId: { gt: after.userId } },
            ],
          }),
        },
        select: memberSelect,
        orderBy: [{ joinedAt: 'asc' }, { userId: 'asc' }],
        take: options.take,
      });
    },

    async updateRole(roomId: string, userId: string, role: RoomRole): Promise<MemberRecord> {
      return db.roomMember.update({
        where: { roomId_userId: { roomId, userId } },
        data: { role },
        select: memberSelect,
      });
    },

    async remove(roomId: string, userId: string): Promise<void> {
      await db.roomMember.delete({ where: { roomId_userId: { roomId, userId } } });
    },

    /** Moves the read cursor forward to `seq` (never back); whether it moved. */
    async markRead(roomId: string, userId: string, seq: bigint): Promise<boolean> {
      const { count } = await db.roomMember.updateMany({
        where: { roomId, userId, lastReadSeq: { lt: seq } },
        data: { lastReadSeq: seq },
      });
      return count > 0;
    },

    /** The ids of every room the user is a member of (where their presence is shown). */
    async roomIdsOf(userId: string): Promise<string[]> {
      const rows = await db.roomMember.findMany({ where: { userId }, select: { roomId: true } });
      return rows.map((row) => row.roomId);
    },

    async countOwners(roomId: string): Promise<number> {
      return db.roomMember.count({ where: { roomId, role: 'owner' } });
    },
  };
}
