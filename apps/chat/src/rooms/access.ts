import { ConflictError, ForbiddenError, NotFoundError } from '@mini/http';
import type { RoomRole } from '../generated/prisma/enums.ts';
import type { MemberRecord } from '../members/members.repository.ts';
import type { Repositories } from '../repositories.ts';
import type { Actor } from '../shared/actor.ts';
import type { RoomRecord } from './rooms.repository.ts';

/**
 * Unknown and "private, and you are not a member" are the same answer, 404: a different answer would let
 * anyone probe which private rooms exist. Public rooms are visible to everyone.
 */
export const roomNotFound = () => new NotFoundError('The room was not found.', { code: 'room-not-found' });

export const insufficientRole = (needed: string) =>
  new ForbiddenError(`This needs ${needed} of the room.`, { code: 'insufficient-room-role' });

export const directRoom = () =>
  new ConflictError('A direct room always has exactly its two people; it cannot be changed.', {
    code: 'direct-room',
  });

export interface RoomAccess {
  room: RoomRecord;
  /** The caller's membership, or null (only possible in a public room). */
  member: MemberRecord | null;
}

/** The room and the caller's membership, or 404 when the caller may not see the room. */
export async function visibleRoom(
  repos: Repositories,
  actor: Actor,
  roomId: string,
  options: { lock?: boolean } = {},
): Promise<RoomAccess> {
  const room = options.lock ? await repos.rooms.lock(roomId) : await repos.rooms.find(roomId);
  if (!room) throw roomNotFound();
  const member = await repos.members.find(roomId, actor.id);
  if (!member && room.visibility !== 'public') throw roomNotFound();
  return { room, member };
}

const RANK: Record<RoomRole, number> = { member: 0, admin: 1, owner: 2 };

/** 403 unless the caller's role is at least `least` (a non-member of a public room has no role). */
export function assertAtLeast(member: MemberRecord | null, least: 'admin' | 'owner'): MemberRecord {
  if (!member || RANK[member.role] < RANK[least]) {
    throw insufficientRole(least === 'owner' ? 'an owner' : 'an owner or admin');
  }
  return member;
}

export function outranks(actor: RoomRole, target: RoomRole): boolean {
  return RANK[actor] > RANK[target] || actor === 'owner';
}
