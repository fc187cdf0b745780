import { Router, type Request } from 'express';
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
import { tooManyMailRequests } from '../throttle/mail-rate-limit.ts';
import { trackWork } from '@mini/http';
import {
  currentPasswordRequired,
  userNotFound,
  usernameTaken,
  wrongCurrentPassword,
  type Caller,
  type UsersService,
} from './users.service.ts';
import { emailTaken } from './account-creation.ts';

const TAGS = ['Users'];

function caller(req: Request): Caller {
  const user = currentUser(req);
  return {
    sessionId: user.sessionId,
    ip: req.ip ?? 'unknown',
    ...(user.authTime === undefined ? {} : { authTime: user.authTime }),
  };
}

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
    summary: 'Change your username, display name or email',
    description:
      'A new email needs `currentPassword` unless you signed in within the last few minutes (sudo mode); it ' +
      'is unverified until the link mailed to it is followed, and the old address gets a notice. Any other ' +
      'field (`role` ...) is refused with 422.',
    tags: TAGS,
    auth: true,
    body: updateMeBody,
    responses: {
      200: { description: 'Your updated account.', schema: meSchema },
      409: { description: 'The username or the email is taken.', problems: [usernameTaken(), emailTaken()] },
      422: {
        description: 'Validation failed, or the current password is missing (sign-in too old) or wrong.',
        problems: [currentPasswordRequired(), wrongCurrentPassword()],
      },
      429: {
        description: 'Too many mails to this address or from this client, or wrong current passwords.',
        problems: [tooManyLoginAttempts(), tooManyMailRequests()],
      },
    },
    handler: async ({ req, body }) => {
      const { user, mailSent } = await users.updateMe(currentUser(req).id, caller(req), body);
      // Sent after the answer; graceful shutdown waits for it all the same.
      void trackWork(req, mailSent);
      return toMe(user);
    },
  });

  api.route(router, {
    method: 'post',
    path: '/users/me/password',
    summary: 'Change your password',
    description:
      'Needs `currentPassword`, unless you signed in within the last few minutes (sudo mode: the access ' +
      "token's `auth_time`). Every other session ends; this one stays signed in.",
    tags: TAGS,
    auth: true,
    body: changePasswordBody,
    responses: {
      204: { description: 'Changed.' },
      422: {
        description: 'Validation failed, the current password is wrong, or the new one is refused.',
        problems: [wrongCurrentPassword(), currentPasswordRequired(), weakPassword('newPassword')],
      },
      429: {
        description: 'Too many wrong current passwords (the sign-in counters); retry after `Retry-After`.',
        problems: [tooManyLoginAttempts()],
      },
    },
    handler: async ({ req, body }) => {
      await users.changePassword(currentUser(req).id, caller(req), body);
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
