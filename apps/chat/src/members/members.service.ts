import { ConflictError, NotFoundError } from '@mini/http';
import { cursorDate, cursorUuid, keysetPage, startAfter, type CursorSpec } from '@mini/validation';
import type { RoomRole } from '../generated/prisma/enums.ts';
import type { Repositories, Store } from '../repositories.ts';
import { assertAtLeast, directRoom, insufficientRole, outranks, visibleRoom } from '../rooms/access.ts';
import type { PageRequest } from '../rooms/rooms.service.ts';
import type { RoomEvents } from '../realtime/room-events.ts';
import type { Actor } from '../shared/actor.ts';
import type { MemberRecord } from './members.repository.ts';

export const memberNotFound = () =>
  new NotFoundError('This user is not a member of the room.', { code: 'member-not-found' });

export const alreadyAMember = () =>
  new ConflictError('This user already is a member of the room.', { code: 'already-a-member' });

export const lastOwner = () =>
  new ConflictError('A room needs at least one owner: make someone else owner first.', {
    code: 'last-owner',
  });

/** Inside a transaction holding the room's lock, so two concurrent changes cannot both pass. */
async function assertKeepsAnOwner(repos: Repositories, roomId: string, target: MemberRecord): Promise<void> {
  if (target.role === 'owner' && (await repos.members.countOwners(roomId)) <= 1) throw lastOwner();
}

export function createMembersService(store: Store, events: RoomEvents) {
  const { repos } = store;

  return {
    async list(actor: Actor, roomId: string, options: PageRequest) {
      await visibleRoom(repos, actor, roomId);
      const spec: CursorSpec<string> = { list: { members: roomId }, value: cursorDate, id: cursorUuid };
      const after = startAfter(options.cursor, spec);
      const rows = await repos.members.list(roomId, {
        after: after && { joinedAt: new Date(after.v), userId: after.id },
        take: options.limit + 1,
      });
      return keysetPage(rows, options.limit, spec, (last) => ({
        v: last.joinedAt.toISOString(),
        id: last.userId,
      }));
    },

    async get(actor: Actor, roomId: string, userId: string): Promise<MemberRecord> {
      await visibleRoom(repos, actor, roomId);
      const member = await repos.members.find(roomId, userId);
      if (!member) throw memberNotFound();
      return member;
    },

    /**
     * Joins a public room (idempotent: a member gets their membership back, `created: false`). A private
     * room cannot be joined, only invited into: to a non-member it does not exist.
     */
    async join(actor: Actor, roomId: string): Promise<{ member: MemberRecord; created: boolean }> {
      const joined = await store.transaction(async (tx) => {
        const { member } = await visibleRoom(tx, actor, roomId, { lock: true });
        if (member) return { member, created: false };
        return { member: await tx.members.add(roomId, actor.id, 'member'), created: true };
      });
      if (joined.created) events.memberJoined(roomId, joined.member);
      return joined;
    },

    /** Owners and admins invite; only an owner makes admins and owners. */
    async invite(actor: Actor, roomId: string, userId: string, role: RoomRole): Promise<MemberRecord> {
      const invited = await store.transaction(async (tx) => {
        const { room, member } = await visibleRoom(tx, actor, roomId, { lock: true });
        if (room.visibility === 'direct') throw directRoom();
        assertAtLeast(member, role === 'member' ? 'admin' : 'owner');
        if (await tx.members.find(roomId, userId)) throw alreadyAMember();
        return tx.members.add(roomId, userId, role);
      });
      events.memberJoined(roomId, invited);
      return invited;
    },

    async changeRole(actor: Actor, roomId: string, userId: string, role: RoomRole): Promise<MemberRecord> {
      return store.transaction(async (tx) => {
        const { room, member } = await visibleRoom(tx, actor, roomId, { lock: true });
        if (room.visibility === 'direct') throw directRoom();
        assertAtLeast(member, 'owner');
        const target = await tx.members.find(roomId, userId);
        if (!target) throw memberNotFound();
        if (target.role === role) return target;
        await assertKeepsAnOwner(tx, roomId, target);
        return tx.members.updateRole(roomId, userId, role);
      });
    },

    /** Leave (your own id: anyone but the last owner) or kick (an owner anyone, an admin members only). */
    async remove(actor: Actor, roomId: string, userId: string): Promise<void> {
      await store.transaction(async (tx) => {
        const { room, member } = await visibleRoom(tx, actor, roomId, { lock: true });
        if (room.visibility === 'direct') throw directRoom();
        const target = userId === actor.id ? member : await tx.members.find(roomId, userId);
        if (userId !== actor.id) {
          const own = assertAtLeast(member, 'admin');
          if (target && !outranks(own.role, target.role)) throw insufficientRole('an owner');
        }
        if (!target) throw memberNotFound();
        await assertKeepsAnOwner(tx, roomId, target);
        await tx.members.remove(roomId, userId);
      });
      events.memberRemoved(roomId, userId);
    },
  };
}

export type MembersService = ReturnType<typeof createMembersService>;
