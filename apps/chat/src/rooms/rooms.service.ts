import { isUniqueViolation } from '@mini/db';
import { ValidationError } from '@mini/http';
import { cursorDate, cursorUuid, keysetPage, startAfter, type CursorSpec } from '@mini/validation';
import type { Store } from '../repositories.ts';
import type { RoomEvents } from '../realtime/room-events.ts';
import type { Actor } from '../shared/actor.ts';
import { assertAtLeast, directRoom, visibleRoom } from './access.ts';
import type { RoomListItem, RoomView } from './rooms.repository.ts';

export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}

export const directWithYourself = () =>
  new ValidationError('A direct room is between two people: pick someone else.', {
    code: 'direct-with-yourself',
    errors: { userId: ['Must not be your own id'] },
  });

/** The pair's key, the same whoever opens the room first. */
const directKeyOf = (a: string, b: string) => [a, b].sort().join(':');

export function createRoomsService(store: Store, events: RoomEvents) {
  const { repos } = store;

  async function withUnread(actor: Actor, rooms: RoomView[]): Promise<RoomListItem[]> {
    const mine = rooms.filter((room) => room.role !== null).map((room) => room.id);
    const counts = await repos.messages.unreadCounts(actor.id, mine);
    return rooms.map((room) => ({
      ...room,
      unreadCount: room.role === null ? null : (counts.get(room.id) ?? 0),
    }));
  }

  return {
    async create(actor: Actor, input: { name: string; visibility: 'public' | 'private' }): Promise<RoomView> {
      return store.transaction(async (tx) => {
        const room = await tx.rooms.create({ ...input, createdBy: actor.id });
        await tx.members.add(room.id, actor.id, 'owner');
        return { ...room, role: 'owner' };
      });
    },

    async list(actor: Actor, options: PageRequest) {
      const spec: CursorSpec<string> = { list: { rooms: actor.id }, value: cursorDate, id: cursorUuid };
      const after = startAfter(options.cursor, spec);
      const rows = await repos.rooms.listVisible(actor.id, {
        after: after && { createdAt: new Date(after.v), id: after.id },
        take: options.limit + 1,
      });
      const page = keysetPage(rows, options.limit, spec, (last) => ({
        v: last.createdAt.toISOString(),
        id: last.id,
      }));
      return { items: await withUnread(actor, page.items), nextCursor: page.nextCursor };
    },

    async get(actor: Actor, roomId: string): Promise<RoomListItem> {
      const { room, member } = await visibleRoom(repos, actor, roomId);
      const [withCount] = await withUnread(actor, [{ ...room, role: member?.role ?? null }]);
      return withCount as RoomListItem;
    },

    async rename(actor: Actor, roomId: string, name: string): Promise<RoomView> {
      return store.transaction(async (tx) => {
        const { room, member } = await visibleRoom(tx, actor, roomId, { lock: true });
        if (room.visibility === 'direct') throw directRoom();
        const { role } = assertAtLeast(member, 'admin');
        return { ...(await tx.rooms.rename(roomId, name)), role };
      });
    },

    async delete(actor: Actor, roomId: string): Promise<void> {
      await store.transaction(async (tx) => {
        const { room, member } = await visibleRoom(tx, actor, roomId, { lock: true });
        if (room.visibility === 'direct') throw directRoom();
        assertAtLeast(member, 'owner');
        await tx.rooms.delete(roomId);
      });
      events.roomDeleted(roomId);
    },

    /** The direct room of the caller and `userId`, created on first use; `created` says which. */
    async openDirect(actor: Actor, userId: string): Promise<{ room: RoomView; created: boolean }> {
      if (userId === actor.id) throw directWithYourself();
      const directKey = directKeyOf(actor.id, userId);
      const existing = await repos.rooms.findDirect(directKey);
      if (existing) return { room: { ...existing, role: 'member' }, created: false };
      try {
        const created = await store.transaction(async (tx) => {
          const room = await tx.rooms.create({
            name: null,
            visibility: 'direct',
            createdBy: actor.id,
            directKey,
          });
          await tx.members.add(room.id, actor.id, 'member');
          await tx.members.add(room.id, userId, 'member');
          return room;
        });
        return { room: { ...created, role: 'member' }, created: true };
      } catch (err) {
        // The unique direct key: the other person opened the room at the same moment, and theirs is the one.
        if (!isUniqueViolation(err)) throw err;
      }
      const theirs = await repos.rooms.findDirect(directKey);
      if (!theirs) throw new Error('the direct room vanished right after it was created');
      return { room: { ...theirs, role: 'member' }, created: false };
    },
  };
}

export type RoomsService = ReturnType<typeof createRoomsService>;
