import { isUniqueViolation } from '@mini/db';
import { ForbiddenError, NotFoundError } from '@mini/http';
import { z } from 'zod';
import { cursorUuid, keysetPage, startAfter, type CursorSpec } from '@mini/validation';
import type { Store } from '../repositories.ts';
import { visibleRoom } from '../rooms/access.ts';
import type { RoomEvents } from '../realtime/room-events.ts';
import type { Actor } from '../shared/actor.ts';
import type { MessageRecord } from './messages.repository.ts';

export const messageNotFound = () =>
  new NotFoundError('The message was not found in this room.', { code: 'message-not-found' });

export const notARoomMember = () => new ForbiddenError('Join the room first.', { code: 'not-a-room-member' });

export const notYourMessage = (what: string) =>
  new ForbiddenError(`Only its author may ${what} this message.`, { code: 'not-your-message' });

export interface HistoryRequest {
  limit: number;
  before?: string | undefined;
  after?: string | undefined;
  cursor?: string | undefined;
}

type Direction = 'older' | 'newer';

/** A history cursor holds the page's direction and the seq of its last message ("older:1042"). */
const historySpec = (roomId: string): CursorSpec<string> => ({
  list: { messages: roomId },
  value: z.string().regex(/^(older|newer):[1-9]\d{0,17}$/),
  id: cursorUuid,
});

export function createMessagesService(store: Store, events: RoomEvents) {
  const { repos } = store;

  async function requireMember(actor: Actor, roomId: string) {
    const access = await visibleRoom(repos, actor, roomId);
    if (!access.member) throw notARoomMember();
    return { room: access.room, member: access.member };
  }

  return {
    /** Stored, then returned; `created: false` when this author already sent this clientMessageId here. */
    async send(
      actor: Actor,
      roomId: string,
      input: { body: string; clientMessageId?: string | undefined },
    ): Promise<{ message: MessageRecord; created: boolean }> {
      await requireMember(actor, roomId);
      const clientMessageId = input.clientMessageId ?? null;
      if (clientMessageId !== null) {
        const first = await repos.messages.findByClientId(roomId, actor.id, clientMessageId);
        if (first) return { message: first, created: false };
      }
      try {
        const message = await repos.messages.create({
          roomId,
          authorId: actor.id,
          body: input.body,
          clientMessageId,
        });
        events.messageCreated(message);
        return { message, created: true };
      } catch (err) {
        // The same resend racing itself (two sockets of one reconnecting client): the first one stored wins.
        if (clientMessageId === null || !isUniqueViolation(err)) throw err;
        const first = await repos.messages.findByClientId(roomId, actor.id, clientMessageId);
        if (!first) throw err;
        return { message: first, created: false };
      }
    },

    /** Newest first by default (or before a message); oldest first after a message. */
    async history(actor: Actor, roomId: string, query: HistoryRequest) {
      await visibleRoom(repos, actor, roomId);
      let direction: Direction = query.after === undefined ? 'older' : 'newer';
      let from: bigint | null = null;
      const anchor = query.before ?? query.after;
      if (anchor !== undefined) {
        const message = await repos.messages.find(roomId, anchor);
        if (!message) throw messageNotFound();
        from = message.seq;
      }
      const spec = historySpec(roomId);
      const position = startAfter(query.cursor, spec);
      if (position) {
        const [way, seq] = position.v.split(':') as [Direction, string];
        direction = way;
        from = BigInt(seq);
      }
      const rows = await repos.messages.page(roomId, { direction, from, take: query.limit + 1 });
      return keysetPage(rows, query.limit, spec, (last) => ({ v: `${direction}:${last.seq}`, id: last.id }));
    },

    async edit(actor: Actor, roomId: string, messageId: string, body: string): Promise<MessageRecord> {
      await requireMember(actor, roomId);
      const message = await repos.messages.find(roomId, messageId);
      if (!message || message.deletedAt) throw messageNotFound();
      if (message.authorId !== actor.id) throw notYourMessage('edit');
      const edited = await repos.messages.edit(messageId, body);
      events.messageEdited(edited);
      return edited;
    },

    /** The author, or an owner or admin of the room. Deleting a deleted message changes nothing. */
    async delete(actor: Actor, roomId: string, messageId: string): Promise<MessageRecord> {
      const { member } = await requireMember(actor, roomId);
      const message = await repos.messages.find(roomId, messageId);
      if (!message) throw messageNotFound();
      if (message.authorId !== actor.id && member.role === 'member') throw notYourMessage('delete');
      if (message.deletedAt) return message;
      const deleted = await repos.messages.markDeleted(messageId);
      events.messageDeleted(deleted);
      return deleted;
    },

    async markRead(actor: Actor, roomId: string, messageId: string) {
      await requireMember(actor, roomId);
      const message = await repos.messages.find(roomId, messageId);
      if (!message) throw messageNotFound();
      if (await repos.members.markRead(roomId, actor.id, message.seq)) {
        events.readMoved(roomId, actor.id, message.id);
      }
      const counts = await repos.messages.unreadCounts(actor.id, [roomId]);
      return { roomId, unreadCount: counts.get(roomId) ?? 0 };
    },
  };
}

export type MessagesService = ReturnType<typeof createMessagesService>;
