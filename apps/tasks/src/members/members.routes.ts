import { Router } from 'express';
import { dependencyUnavailable, forwardedFrom } from '@mini/http';
import type { ApiRegistry } from '@mini/validation';
import { projectParams } from '../projects/projects.schemas.ts';
import { actorOf } from '../shared/actor.ts';
import type { MemberRecord } from './members.repository.ts';
import {
  addMemberBody,
  changeRoleBody,
  listMembersQuery,
  memberPageSchema,
  memberParams,
  memberSchema,
} from './members.schemas.ts';
import { lastOwner, unknownUsername, type MembersService } from './members.service.ts';

const toMemberDto = (member: MemberRecord) => ({ ...member, addedAt: member.addedAt.toISOString() });

const notFound = { description: 'No such project or member, or you are not a member of the project.' };
const forbidden = { description: 'You are not an owner of the project.' };
const tags = ['Members'];
const location = { Location: { description: 'The new member: `/projects/{projectId}/members/{userId}`.' } };

export function memberRoutes(api: ApiRegistry, members: MembersService): Router {
  const router = Router();

  api.route(router, {
    method: 'get',
    path: '/projects/:projectId/members',
    summary: 'List the members of a project',
    tags,
    auth: true,
    params: projectParams,
    query: listMembersQuery,
    responses: {
      200: { description: 'A page of members, by username.', schema: memberPageSchema },
      404: notFound,
    },
    handler: async ({ req, params, query }) => {
      const result = await members.list(actorOf(req), params.projectId, query);
      return { items: result.items.map(toMemberDto), nextCursor: result.nextCursor };
    },
  });

  api.route(router, {
    method: 'post',
    path: '/projects/:projectId/members',
    summary: 'Add a member by username (owner)',
    description:
      'The username is resolved through the auth service (`GET /users/by-username/:username`) with your token. ' +
      'An unknown username is 422; the auth service being down or slow is 503.',
    tags,
    auth: true,
    params: projectParams,
    body: addMemberBody,
    responses: {
      201: { description: 'The new member.', schema: memberSchema, headers: location },
      403: forbidden,
      404: notFound,
      409: { description: 'The user already is a member.' },
      422: {
        description:
          'Validation failed (`errors` per field), or no user has this username (`unknown-username`).',
        problems: [unknownUsername()],
      },
      503: {
        description: 'The auth service could not be reached (with Retry-After).',
        problems: [dependencyUnavailable('auth')],
      },
    },
    handler: async ({ req, res, params, body }) => {
      const member = await members.add(actorOf(req), params.projectId, body, forwardedFrom(req));
      res.location(`/projects/${params.projectId}/members/${member.userId}`);
      return toMemberDto(member);
    },
  });

  api.route(router, {
    method: 'get',
    path: '/projects/:projectId/members/:userId',
    summary: 'Get one member of a project (e.g. your own role: your user id)',
    tags,
    auth: true,
    params: memberParams,
    responses: { 200: { description: 'The member.', schema: memberSchema }, 404: notFound },
    handler: async ({ req, params }) =>
      toMemberDto(await members.get(actorOf(req), params.projectId, params.userId)),
  });

  api.route(router, {
    method: 'patch',
    path: '/projects/:projectId/members/:userId',
    summary: "Change a member's role (owner)",
    tags,
    auth: true,
    params: memberParams,
    body: changeRoleBody,
    responses: {
      200: { description: 'The member with the new role.', schema: memberSchema },
      403: forbidden,
      404: notFound,
      409: { description: 'The last owner cannot be demoted.', problems: [lastOwner()] },
    },
    handler: async ({ req, params, body }) =>
      toMemberDto(await members.changeRole(actorOf(req), params.projectId, params.userId, body.role)),
  });

  api.route(router, {
    method: 'delete',
    path: '/projects/:projectId/members/:userId',
    summary: 'Remove a member (owner), or leave the project (your own id)',
    description: "The removed member's tasks in this project become unassigned.",
    tags,
    auth: true,
    params: memberParams,
    responses: {
      204: { description: 'Removed.' },
      403: forbidden,
      404: notFound,
      409: { description: 'The last owner cannot leave.', problems: [lastOwner()] },
    },
    handler: async ({ req, params }) => {
      await members.remove(actorOf(req), params.projectId, params.userId);
    },
  });

  return router;
}
