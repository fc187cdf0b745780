import { Router } from 'express';
import type { ApiRegistry } from '@mini/validation';
import { actorOf } from '../shared/actor.ts';
import { directRoom, insufficientRole, roomNotFound } from './access.ts';
import type { RoomView } from './rooms.repository.ts';
import {
  createRoomBody,
  dmParams,
  listRoomsQuery,
  roomPageSchema,
  roomParams,
  roomSchema,
  roomWithUnreadSchema,
  updateRoomBody,
} from './rooms.schemas.ts';
import { directWithYourself, type RoomsService } from './rooms.service.ts';

export const toRoomDto = <R extends RoomView>(room: R) => ({
  ...room,
  createdAt: room.createdAt.toISOString(),
  updatedAt: room.updatedAt.toISOString(),
});

const notFound = {
  description: 'No such room, or a private or direct room you are not a member of.',
  problems: [roomNotFound()],
};
const tags = ['Rooms'];
const location = { Location: { description: 'The room: `/rooms/{id}`.' } };

export function roomRoutes(api: ApiRegistry, rooms: RoomsService): Router {
  const router = Router();

  api.route(router, {
    method: 'post',
    path: '/rooms',
    summary: 'Create a room (you become its owner)',
    tags,
    auth: true,
    body: createRoomBody,
    responses: { 201: { description: 'The new room.', schema: roomSchema, headers: location } },
    handler: async ({ req, res, body }) => {
      const room = await rooms.create(actorOf(req), body);
      res.location(`/rooms/${room.id}`);
      return toRoomDto(room);
    },
  });

  api.route(router, {
    method: 'get',
    path: '/rooms',
    summary: 'List the public rooms and yours, newest first',
    tags,
    auth: true,
    query: listRoomsQuery,
    responses: { 200: { description: 'A page of rooms.', schema: roomPageSchema } },
    handler: async ({ req, query }) => {
      const page = await rooms.list(actorOf(req), query);
      return { items: page.items.map(toRoomDto), nextCursor: page.nextCursor };
    },
  });

  api.route(router, {
    method: 'get',
    path: '/rooms/:id',
    summary: 'Get a room',
    tags,
    auth: true,
    params: roomParams,
    responses: { 200: { description: 'The room.', schema: roomWithUnreadSchema }, 404: notFound },
    handler: async ({ req, params }) => toRoomDto(await rooms.get(actorOf(req), params.id)),
  });

  api.route(router, {
    method: 'patch',
    path: '/rooms/:id',
    summary: 'Rename a room (owner or admin)',
    tags,
    auth: true,
    params: roomParams,
    body: updateRoomBody,
    responses: {
      200: { description: 'The renamed room.', schema: roomSchema },
      403: {
        description: 'You are not an owner or admin of the room.',
        problems: [insufficientRole('an owner or admin')],
      },
      404: notFound,
      409: { description: 'A direct room has no name to change.', problems: [directRoom()] },
    },
    handler: async ({ req, params, body }) =>
      toRoomDto(await rooms.rename(actorOf(req), params.id, body.name)),
  });

  api.route(router, {
    method: 'delete',
    path: '/rooms/:id',
    summary: 'Delete a room and everything in it (owner)',
    tags,
    auth: true,
    params: roomParams,
    responses: {
      204: { description: 'Deleted.' },
      403: { description: 'You are not an owner of the room.', problems: [insufficientRole('an owner')] },
      404: notFound,
      409: { description: 'A direct room cannot be deleted.', problems: [directRoom()] },
    },
    handler: async ({ req, params }) => {
      await rooms.delete(actorOf(req), params.id);
    },
  });

  api.route(router, {
    method: 'post',
    path: '/dm/:userId',
    summary: 'Open the direct room with a user (created on first use)',
    description:
      'One room per pair of users, whoever opens it first; both are members. The user id is the `sub` of ' +
      'their access token (chat does not ask the auth service whether it exists).',
    tags,
    auth: true,
    params: dmParams,
    responses: {
      200: { description: 'The direct room, which already existed.', schema: roomSchema },
      201: { description: 'The direct room, created now.', schema: roomSchema, headers: location },
      422: { description: 'Validation failed, or the id is your own.', problems: [directWithYourself()] },
    },
    handler: async ({ req, res, params }) => {
      const { room, created } = await rooms.openDirect(actorOf(req), params.userId);
      if (created) res.location(`/rooms/${room.id}`);
      res.status(created ? 201 : 200).json(toRoomDto(room));
    },
  });

  return router;
}
