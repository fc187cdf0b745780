import { Router } from 'express';
import { invalidCursor, type ApiRegistry } from '@mini/validation';
import { roomNotFound } from '../rooms/access.ts';
import { roomParams } from '../rooms/rooms.schemas.ts';
import { actorOf } from '../shared/actor.ts';
import {
  editMessageBody,
  historyQuery,
  messagePageSchema,
  messageParams,
  messageSchema,
  readBody,
  readStateSchema,
  sendMessageBody,
  toMessageDto,
} from './messages.schemas.ts';
import { messageNotFound, notARoomMember, notYourMessage, type MessagesService } from './messages.service.ts';

const tags = ['Messages'];
const roomGone = {
  description: 'No such room, or a private or direct room you are not a member of.',
  problems: [roomNotFound()],
};
const messageGone = {
  description: 'No such room (or not yours to see), or no such message in it.',
  problems: [roomNotFound(), messageNotFound()],
};
const notMember = {
  description: 'You are not a member of this (public) room.',
  problems: [notARoomMember()],
};

export function messageRoutes(api: ApiRegistry, messages: MessagesService): Router {
  const router = Router();

  api.route(router, {
    method: 'post',
    path: '/rooms/:id/messages',
    summary: 'Send a message (members)',
    description:
      'Stored first, then delivered. The same `clientMessageId` from the same author in the same room returns the ' +
      'first message (200) instead of storing a second one: a resend after a reconnect is harmless.',
    tags,
    auth: true,
    params: roomParams,
    body: sendMessageBody,
    responses: {
      200: { description: 'The message first sent with this clientMessageId.', schema: messageSchema },
      201: { description: 'The stored message.', schema: messageSchema },
      403: notMember,
      404: roomGone,
    },
    handler: async ({ req, res, params, body }) => {
      const { message, created } = await messages.send(actorOf(req), params.id, body);
      res.status(created ? 201 : 200).json(toMessageDto(message));
    },
  });

  api.route(router, {
    method: 'get',
    path: '/rooms/:id/messages',
    summary: 'Read the history of a room, a page at a time',
    description:
      'Newest first, or older than `before`; oldest first newer than `after` (a message id). `nextCursor` goes on ' +
      'in the same direction. Deleted messages keep their place, with an empty body and `deletedAt`.',
    tags,
    auth: true,
    params: roomParams,
    query: historyQuery,
    responses: {
      200: { description: 'A page of messages.', schema: messagePageSchema },
      404: messageGone,
      422: { description: 'Validation failed, or a cursor of another list.', problems: [invalidCursor()] },
    },
    handler: async ({ req, params, query }) => {
      const page = await messages.history(actorOf(req), params.id, query);
      return { items: page.items.map(toMessageDto), nextCursor: page.nextCursor };
    },
  });

  api.route(router, {
    method: 'patch',
    path: '/rooms/:id/messages/:messageId',
    summary: 'Edit your own message',
    tags,
    auth: true,
    params: messageParams,
    body: editMessageBody,
    responses: {
      200: { description: 'The edited message (with editedAt).', schema: messageSchema },
      403: { description: 'Not your message, or not a member.', problems: [notYourMessage('edit')] },
      404: messageGone,
    },
    handler: async ({ req, params, body }) =>
      toMessageDto(await messages.edit(actorOf(req), params.id, params.messageId, body.body)),
  });

  api.route(router, {
    method: 'delete',
    path: '/rooms/:id/messages/:messageId',
    summary: 'Delete a message (its author; any message: owners and admins)',
    tags,
    auth: true,
    params: messageParams,
    responses: {
      204: { description: 'Deleted (or already deleted).' },
      403: {
        description: 'Not your message, and you are not an owner or admin.',
        problems: [notYourMessage('delete')],
      },
      404: messageGone,
    },
    handler: async ({ req, params }) => {
      await messages.delete(actorOf(req), params.id, params.messageId);
    },
  });

  api.route(router, {
    method: 'post',
    path: '/rooms/:id/read',
    summary: 'Move your read cursor to a message',
    description: 'The cursor only moves forward: marking an older message read changes nothing.',
    tags,
    auth: true,
    params: roomParams,
    body: readBody,
    responses: {
      200: { description: 'Your unread count in the room now.', schema: readStateSchema },
      403: notMember,
      404: messageGone,
    },
    handler: async ({ req, params, body }) => messages.markRead(actorOf(req), params.id, body.messageId),
  });

  return router;
}
