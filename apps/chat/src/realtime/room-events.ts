import type { Server } from 'socket.io';
import type { MemberRecord } from '../members/members.repository.ts';
import { toMemberDto } from '../members/members.schemas.ts';
import type { MessageRecord } from '../messages/messages.repository.ts';
import { toMessageDto } from '../messages/messages.schemas.ts';

/** The socket.io room of every socket of one user: kicks and leaves reach all their tabs at once. */
export const userRoom = (userId: string) => `user:${userId}`;

/**
 * What the services tell connected clients once a change is stored: REST and socket writes alike go through
 * here, so a message sent with curl reaches the sockets too. Until the socket server is attached (and in
 * tests of the REST part alone) it tells nobody.
 */
export interface RoomEvents {
  messageCreated(message: MessageRecord): void;
  messageEdited(message: MessageRecord): void;
  messageDeleted(message: MessageRecord): void;
  memberJoined(roomId: string, member: MemberRecord): void;
  /** A read receipt: the member's read cursor moved forward to this message. */
  readMoved(roomId: string, userId: string, messageId: string): void;
  /** The user is no longer a member: none of their sockets may receive the room's events any more. */
  memberRemoved(roomId: string, userId: string): void;
  roomDeleted(roomId: string): void;
}

export interface RoomEventsHub extends RoomEvents {
  attach(io: Server): void;
}

export function createRoomEvents(): RoomEventsHub {
  let io: Server | undefined;
  return {
    attach(server) {
      io = server;
    },
    messageCreated(message) {
      io?.to(message.roomId).emit('message:new', toMessageDto(message));
    },
    messageEdited(message) {
      io?.to(message.roomId).emit('message:edited', toMessageDto(message));
    },
    messageDeleted(message) {
      io?.to(message.roomId).emit('message:deleted', { id: message.id, roomId: message.roomId });
    },
    readMoved(roomId, userId, messageId) {
      io?.to(roomId).emit('read', { roomId, userId, messageId });
    },
    memberJoined(roomId, member) {
      io?.to(roomId).emit('member:joined', { roomId, ...toMemberDto(member) });
    },
    memberRemoved(roomId, userId) {
      // Told before the sockets leave, so the one who left (or was kicked) learns it too.
      io?.to(roomId).emit('member:left', { roomId, userId });
      io?.in(userRoom(userId)).socketsLeave(roomId);
    },
    roomDeleted(roomId) {
      io?.in(roomId).socketsLeave(roomId);
    },
  };
}

/** For an app without live delivery (tests of the REST part). */
export const noRoomEvents: RoomEvents = {
  messageCreated: () => {},
  messageEdited: () => {},
  messageDeleted: () => {},
  memberJoined: () => {},
  readMoved: () => {},
  memberRemoved: () => {},
  roomDeleted: () => {},
};
