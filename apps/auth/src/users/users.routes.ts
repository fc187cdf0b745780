import { Router } from 'express';
import { idParams, type ApiRegistry } from '@mini/validation';
import { currentUser } from '../security/current-user.ts';
import {
  changePasswordBody,
  meSchema,
  publicProfileSchema,
  toMe,
  toPublicProfile,
  updateMeBody,
  usernameParams,
} from './users.schemas.ts';
import { weakPassword } from '../passwords/password-policy.ts';
import { tooManyLoginAttempts } from '../throttle/login-throttle.ts';
import { userNotFound, usernameTaken, wrongCurrentPassword, type UsersService } from './users.service.ts';

const TAGS = ['Users'];

export function usersRoutes(api: ApiRegistry, users: UsersService): Router {
  const router = Router();

  // Registered before /users/:id, which would otherwise try to read "me" as an id.
  api.route(router, {
    method: 'get',
    path: '/users/me',
    summary: 'The signed-in user',
    tags: TAGS,
    auth: true,
    responses: { 200: { description: 'Your account.', schema: meSchema } },
    handler: async ({ req }) => toMe(await users.me(currentUser(req).id)),
  });

  api.route(router, {
    method: 'patch',
    path: '/users/me',
    summary: 'Change your username or display name',
    description:
      'Only `username` and `displayName`: any other field (`role`, `email` ...) is refused with 422.',
    tags: TAGS,
    auth: true,
    body: updateMeBody,
    responses: {
      200: { description: 'Your updated account.', schema: meSchema },
      409: { description: 'The username is taken.', problems: [usernameTaken()] },
    },
    handler: async ({ req, body }) => toMe(await users.updateMe(currentUser(req).id, body)),
  });

  api.route(router, {
    method: 'post',
    path: '/users/me/password',
    summary: 'Change your password',
    description: 'Needs the current password. Every other session ends; this one stays signed in.',
    tags: TAGS,
    auth: true,
    body: changePasswordBody,
    responses: {
      204: { description: 'Changed.' },
      422: {
        description: 'Validation failed, the current password is wrong, or the new one is refused.',
        problems: [wrongCurrentPassword(), weakPassword('newPassword')],
      },
      429: {
        description: 'Too many wrong current passwords (the sign-in counters); retry after `Retry-After`.',
        problems: [tooManyLoginAttempts()],
      },
    },
    handler: async ({ req, body }) => {
      const user = currentUser(req);
      await users.changePassword(user.id, { sessionId: user.sessionId, ip: req.ip ?? 'unknown' }, body);
    },
  });

  api.route(router, {
    method: 'get',
    path: '/users/by-username/:username',
    summary: "A user's public profile, by username (any case)",
    description: 'For other services: id, username and display name, to any valid access token.',
    tags: TAGS,
    auth: true,
    params: usernameParams,
    responses: {
      200: { description: 'The public profile.', schema: publicProfileSchema },
      404: { description: 'No user has this username.', problems: [userNotFound()] },
    },
    handler: async ({ params }) => toPublicProfile(await users.publicProfileByUsername(params.username)),
  });

  api.route(router, {
    method: 'get',
    path: '/users/:id',
    summary: "A user's public profile, by id",
    description: 'For other services: id, username and display name, to any valid access token.',
    tags: TAGS,
    auth: true,
    params: idParams,
    responses: {
      200: { description: 'The public profile.', schema: publicProfileSchema },
      404: { description: 'No user has this id.', problems: [userNotFound()] },
    },
    handler: async ({ params }) => toPublicProfile(await users.publicProfileById(params.id)),
  });

  return router;
}
