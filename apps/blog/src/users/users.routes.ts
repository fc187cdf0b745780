import { Router } from 'express';
import { forwardedFrom } from '@mini/http';
import type { ApiRegistry } from '@mini/validation';
import { actorOf } from '../shared/actor.ts';
import { loginBody, newUserBody, updateUserBody, userResponse } from './users.schemas.ts';
import type { UsersService } from './users.service.ts';

const tags = ['User and Authentication'];
const invalid = { description: 'A field is missing, empty or invalid (`errors` names it).' };

export function usersRoutes(api: ApiRegistry, users: UsersService): Router {
  const router = Router();

  api.route(router, {
    method: 'post',
    path: '/api/users',
    summary: 'Register a new user',
    description: 'Creates the account in the auth service and signs in there: the token is its access token.',
    tags,
    operationId: 'CreateUser',
    body: newUserBody,
    responses: {
      201: { description: 'The new user, signed in.', schema: userResponse },
      409: { description: 'The email or the username is taken (`errors.email` or `errors.username`).' },
      422: invalid,
      429: { description: "Too many sign-ups from this address (the auth service's limit)." },
    },
    handler: async ({ req, body }) => ({ user: await users.register(body.user, forwardedFrom(req)) }),
  });

  api.route(router, {
    method: 'post',
    path: '/api/users/login',
    summary: 'Existing user login',
    tags,
    operationId: 'Login',
    body: loginBody,
    responses: {
      200: { description: 'The user, signed in.', schema: userResponse },
      401: { description: 'Wrong email or password (`errors.credentials`).' },
      422: invalid,
      429: { description: "Too many failed sign-ins (the auth service's limit); see `Retry-After`." },
    },
    handler: async ({ req, body }) => ({ user: await users.login(body.user, forwardedFrom(req)) }),
  });

  api.route(router, {
    method: 'get',
    path: '/api/user',
    summary: 'Get current user',
    tags,
    operationId: 'GetCurrentUser',
    auth: true,
    responses: { 200: { description: 'You, with the token you sent.', schema: userResponse } },
    handler: async ({ req }) => ({ user: await users.current(actorOf(req), forwardedFrom(req)) }),
  });

  api.route(router, {
    method: 'put',
    path: '/api/user',
    summary: 'Update current user',
    description:
      'Email and username change in the auth service (a new email is unverified until confirmed); a password ' +
      "change needs a recent sign-in (auth's sudo window) and ends your other sessions, this token stays good. " +
      'Bio and image are kept by the blog; an empty string clears them like null.',
    tags,
    operationId: 'UpdateCurrentUser',
    auth: true,
    body: updateUserBody,
    responses: {
      200: { description: 'You, changed.', schema: userResponse },
      422: {
        description: 'A field is empty or invalid, or the email or username is taken (`errors` names it).',
      },
    },
    handler: async ({ req, body }) => ({
      user: await users.update(actorOf(req), body.user, forwardedFrom(req)),
    }),
  });

  return router;
}
