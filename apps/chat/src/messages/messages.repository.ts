import type { DbClient } from '../db.ts';

export interface MessageRecord {
  id: string;
  seq: bigint;
  roomId: string;
  authorId: string;
  body: string;
  clientMessageId: string | null;
  createdAt: Date;
  editedAt: Date | null;
  deletedAt: Date | null;
}

const messageSelect = {
  id: true,
  seq: true,
  roomId: true,
  authorId: true,
  body: true,
  clientMessageId: true,
  createdAt: true,
  editedAt: true,
  deletedAt: true,
} as const;

export function messagesRepository(db: DbClient) {
  return {
    /** Throws a unique violation when this author already sent this clientMessageId in this room. */
    async create(input: {
      roomId: string;
      authorId: string;
      body: string;
      clientMessageId: string | null;
    }): Promise<MessageRecord> {
      return db.message.create({ data: input, select: messageSelect });
    },

    async findByClientId(
      roomId: string,
      authorId: string,
      clientMessageId: string,
    ): Promise<MessageRecord | null> {
      return db.message.findUnique({
        where: { roomId_authorId_clientMessageId: { roomId, authorId, clientMessageId } },
        select: messageSelect,
      });
    },

    async find(roomId: string, id: string): Promise<MessageRecord | null> {
      return db.message.findFirst({ where: { id, roomId }, select: messageSelect });
    },

    /** A page of the room's messages strictly before (newest first) or after (oldest first) `seq`. */
    async page(
      roomId: string,
      options: { direction: 'older' | 'newer'; from: bigint | null; take: number },
    ): Promise<MessageRecord[]> {
      const { direction, from } = options;
      return db.message.findMany({
        where: {
          roomId,
          ...(from !== null && { seq: direction === 'older' ? { lt: from } : { gt: from } }),
        },
        select: messageSelect,
        orderBy: { seq: direction === 'older' ? 'desc' : 'asc' },
        take: options.take,
      });
    },

    async edit(id: string, body: string): Promise<MessageRecord> {
      return db.message.update({
        where: { id },
        data: { body, editedAt: new Date() },
        select: messageSelect,
      });
    },

    /** Keeps the message's place and id, drops its text. */
    async markDeleted(id: string): Promise<MessageRecord> {
      return db.message.update({
        where: { id },
        data: { body: '', deletedAt: new Date() },
        select: messageSelect,
      });
    },

    /** Per room, the messages after the user's read cursor that others wrote and nobody deleted. */
    async unreadCounts(userId: string, roomIds: string[]): Promise<Map<string, number>> {
      if (roomIds.length === 0) return new Map();
      const rows = await db.$queryRaw<Array<{ room_id: string; unread: bigint }>>`
        SELECT m.room_id, count(*) AS unread
        FROM room_members rm
        JOIN messages m ON m.room_id = rm.room_id AND m.seq > rm.last_read_seq
        WHERE rm.user_id = ${userId}::uuid AND rm.room_id = ANY(${roomIds}::uuid[])
          AND m.author_id <> ${userId}::uuid AND m.deleted_at IS NULL
        GROUP BY m.room_id`;
      return new Map(rows.map((row) => [row.room_id, Number(row.unread)]));
    },
  };
}
