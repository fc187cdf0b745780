import { Router, type RequestHandler } from 'express';
import type { ApiRegistry } from '@mini/validation';
import { actorOf, viewerOf } from '../shared/actor.ts';
import { profileResponse, usernameParams } from './profiles.schemas.ts';
import type { ProfilesService } from './profiles.service.ts';

const tags = ['Profile'];
const notFound = { description: 'No user with this username has used the blog (`errors.profile`).' };

export function profilesRoutes(
  api: ApiRegistry,
  profiles: ProfilesService,
  optionalAuth: RequestHandler,
): Router {
  const router = Router();

  api.route(router, {
    method: 'get',
    path: '/api/profiles/:username',
    summary: 'Get a profile',
    description: 'Auth optional: signed in, `following` says whether you follow them.',
    tags,
    operationId: 'GetProfileByUsername',
    middleware: [optionalAuth],
    params: usernameParams,
    responses: {
      200: { description: 'The profile.', schema: profileResponse },
      401: { description: 'A token was sent and is not valid.' },
      404: notFound,
    },
    handler: async ({ req, params }) => ({ profile: await profiles.get(viewerOf(req), params.username) }),
  });

  api.route(router, {
    method: 'post',
    path: '/api/profiles/:username/follow',
    summary: 'Follow a user',
    description: 'Following someone you already follow changes nothing. Following yourself is 422.',
    tags,
    operationId: 'FollowUserByUsername',
    auth: true,
    params: usernameParams,
    responses: {
      200: { description: 'The profile, followed.', schema: profileResponse },
      404: notFound,
    },
    handler: async ({ req, params }) => ({ profile: await profiles.follow(actorOf(req), params.username) }),
  });

  api.route(router, {
    method: 'delete',
    path: '/api/profiles/:username/follow',
    summary: 'Unfollow a user',
    description: 'Unfollowing someone you do not follow changes nothing.',
    tags,
    operationId: 'UnfollowUserByUsername',
    auth: true,
    params: usernameParams,
    responses: {
      200: { description: 'The profile, not followed.', schema: profileResponse },
      404: notFound,
    },
    handler: async ({ req, params }) => ({ profile: await profiles.unfollow(actorOf(req), params.username) }),
  });

  return router;
}
