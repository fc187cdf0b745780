import { Router, type RequestHandler } from 'express';
import { idParams, type ApiRegistry } from '@mini/validation';
import { currentUser } from '../security/current-user.ts';
import {
  adminUpdateUserBody,
  adminUserListQuery,
  adminUserListSchema,
  adminUserSchema,
  toAdminUser,
} from './admin.schemas.ts';
import { userNotFound } from '../users/users.service.ts';
import { cannotChangeOwnAccess, type AdminService } from './admin.service.ts';

const TAGS = ['Admin'];

export function adminRoutes(api: ApiRegistry, admin: AdminService, requireAdmin: RequestHandler): Router {
  const router = Router();
  const forbidden = { 403: { description: 'Signed in, but not an admin.' } };

  api.route(router, {
    method: 'get',
    path: '/admin/users',
    summary: 'List and search users (admins only)',
    tags: TAGS,
    auth: true,
    middleware: [requireAdmin],
    query: adminUserListQuery,
    responses: {
      200: { description: 'A page of users, newest first.', schema: adminUserListSchema },
      ...forbidden,
    },
    handler: async ({ query }) => {
      const page = await admin.listUsers(query);
      return { ...page, items: page.items.map(toAdminUser) };
    },
  });

  api.route(router, {
    method: 'patch',
    path: '/admin/users/:id',
    summary: "Change a user's role or disable the account (admins only)",
    description:
      'Disabling (or changing the role) ends every session of the user at once. A disabled user cannot sign ' +
      'in or refresh. Admins cannot demote or disable themselves.',
    tags: TAGS,
    auth: true,
    middleware: [requireAdmin],
    params: idParams,
    body: adminUpdateUserBody,
    responses: {
      200: { description: 'The updated user.', schema: adminUserSchema },
      403: {
        description: 'Signed in, but not an admin; or an admin demoting or disabling themselves.',
        problems: [cannotChangeOwnAccess()],
      },
      404: { description: 'No user has this id.', problems: [userNotFound()] },
    },
    handler: async ({ params, body, req }) =>
      toAdminUser(await admin.updateUser(currentUser(req).id, params.id, body)),
  });

  return router;
}
