import { Router } from 'express';
import type { ApiRegistry } from '@mini/validation';
import { directRoom, insufficientRole, roomNotFound } from '../rooms/access.ts';
import { roomParams } from '../rooms/rooms.schemas.ts';
import { actorOf } from '../shared/actor.ts';
import {
  addMemberBody,
  changeRoleBody,
  listMembersQuery,
  memberPageSchema,
  memberParams,
  memberSchema,
  toMemberDto,
} from './members.schemas.ts';
import { alreadyAMember, lastOwner, memberNotFound, type MembersService } from './members.service.ts';

const notFound = {
  description: 'No such room (or a private one you are not in), or no such member.',
  problems: [roomNotFound()],
};
const tags = ['Members'];
const location = { Location: { description: 'The member: `/rooms/{id}/members/{userId}`.' } };

export function memberRoutes(api: ApiRegistry, members: MembersService): Router {
  const router = Router();

  api.route(router, {
    method: 'get',
    path: '/rooms/:id/members',
    summary: 'List the members of a room, in the order they joined',
    tags,
    auth: true,
    params: roomParams,
    query: listMembersQuery,
    responses: { 200: { description: 'A page of members.', schema: memberPageSchema }, 404: notFound },
    handler: async ({ req, params, query }) => {
      const page = await members.list(actorOf(req), params.id, query);
      return { items: page.items.map(toMemberDto), nextCursor: page.nextCursor };
    },
  });

  api.route(router, {
    method: 'post',
    path: '/rooms/:id/members',
    summary: 'Join a public room (no body), or invite someone (owner or admin)',
    description:
      'Without a body (or without `userId`) you join the room yourself: a public room only (a member gets 200 ' +
      'with their membership). With `userId` an owner or admin invites that user, into any room but a direct ' +
      'one; only an owner may invite as admin or owner.',
    tags,
    auth: true,
    params: roomParams,
    body: addMemberBody,
    responses: {
      200: { description: 'You already were a member.', schema: memberSchema },
      201: { description: 'The new member.', schema: memberSchema, headers: location },
      403: {
        description: 'You may not invite (with this role).',
        problems: [insufficientRole('an owner or admin')],
      },
      404: notFound,
      409: {
        description: 'The user already is a member, or the room is a direct room.',
        problems: [alreadyAMember(), directRoom()],
      },
    },
    handler: async ({ req, res, params, body }) => {
      const actor = actorOf(req);
      const { member, created } =
        body?.userId === undefined
          ? await members.join(actor, params.id)
          : {
              member: await members.invite(actor, params.id, body.userId, body.role ?? 'member'),
              created: true,
            };
      if (created) res.location(`/rooms/${params.id}/members/${member.userId}`);
      res.status(created ? 201 : 200).json(toMemberDto(member));
    },
  });

  api.route(router, {
    method: 'get',
    path: '/rooms/:id/members/:userId',
    summary: 'Get one member of a room (your own role: your user id)',
    tags,
    auth: true,
    params: memberParams,
    responses: {
      200: { description: 'The member.', schema: memberSchema },
      404: { ...notFound, problems: [roomNotFound(), memberNotFound()] },
    },
    handler: async ({ req, params }) =>
      toMemberDto(await members.get(actorOf(req), params.id, params.userId)),
  });

  api.route(router, {
    method: 'patch',
    path: '/rooms/:id/members/:userId',
    summary: "Change a member's role (owner)",
    tags,
    auth: true,
    params: memberParams,
    body: changeRoleBody,
    responses: {
      200: { description: 'The member with the new role.', schema: memberSchema },
      403: { description: 'You are not an owner of the room.', problems: [insufficientRole('an owner')] },
      404: { ...notFound, problems: [roomNotFound(), memberNotFound()] },
      409: { description: 'The last owner cannot step down.', problems: [lastOwner()] },
    },
    handler: async ({ req, params, body }) =>
      toMemberDto(await members.changeRole(actorOf(req), params.id, params.userId, body.role)),
  });

  api.route(router, {
    method: 'delete',
    path: '/rooms/:id/members/:userId',
    summary: 'Leave a room (your own id), or remove a member (owner; admin: members only)',
    tags,
    auth: true,
    params: memberParams,
    responses: {
      204: { description: 'Removed.' },
      403: { description: 'You may not remove this member.', problems: [insufficientRole('an owner')] },
      404: { ...notFound, problems: [roomNotFound(), memberNotFound()] },
      409: {
        description: 'The last owner cannot leave; nobody leaves a direct room.',
        problems: [lastOwner(), directRoom()],
      },
    },
    handler: async ({ req, params }) => {
      await members.remove(actorOf(req), params.id, params.userId);
    },
  });

  return router;
}
