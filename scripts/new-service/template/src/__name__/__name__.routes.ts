import { Router } from 'express';
import { currentUser } from '@mini/auth';
import { invalidCursor, type ApiRegistry } from '@mini/validation';
import type { __Item__Record } from './__name__.repository.ts';
import {
  create__Item__Body,
  list__Name__Query,
  __item__PageSchema,
  __item__Params,
  __item__Schema,
  update__Item__Body,
  type __Item__Dto,
} from './__name__.schemas.ts';
import { __item__NotFound, type __Name__Service } from './__name__.service.ts';

const to__Item__Dto = (row: __Item__Record): __Item__Dto => ({
  id: row.id,
  title: row.title,
  body: row.body,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

const tags = ['__Name__'];
const notFound = { description: 'No such __item__, or it is not yours.', problems: [__item__NotFound()] };

// Thin: validate (the registry does, from the schemas), call the service with the caller's id, shape the answer.
export function __name__Routes(api: ApiRegistry, service: __Name__Service): Router {
  const router = Router();

  api.route(router, {
    method: 'post',
    path: '/__name__',
    summary: 'Create a __item__',
    tags,
    auth: true,
    body: create__Item__Body,
    responses: {
      201: {
        description: 'The new __item__.',
        schema: __item__Schema,
        headers: { Location: { description: 'The new __item__: `/__name__/{id}`.' } },
      },
    },
    handler: async ({ req, res, body }) => {
      const created = await service.create(currentUser(req).id, body);
      res.location(`/__name__/${created.id}`);
      return to__Item__Dto(created);
    },
  });

  api.route(router, {
    method: 'get',
    path: '/__name__',
    summary: 'List your __name__, newest first',
    tags,
    auth: true,
    query: list__Name__Query,
    responses: {
      200: { description: 'A page of your __name__.', schema: __item__PageSchema },
      422: { description: 'A bad `limit`, or a `cursor` of no page of this list.', problems: [invalidCursor()] },
    },
    handler: async ({ req, query }) => {
      const result = await service.list(currentUser(req).id, query);
      return { items: result.items.map(to__Item__Dto), nextCursor: result.nextCursor };
    },
  });

  api.route(router, {
    method: 'get',
    path: '/__name__/:id',
    summary: 'Get one of your __name__',
    tags,
    auth: true,
    params: __item__Params,
    responses: { 200: { description: 'The __item__.', schema: __item__Schema }, 404: notFound },
    handler: async ({ req, params }) => to__Item__Dto(await service.get(currentUser(req).id, params.id)),
  });

  api.route(router, {
    method: 'patch',
    path: '/__name__/:id',
    summary: 'Change the title or body of one of your __name__',
    tags,
    auth: true,
    params: __item__Params,
    body: update__Item__Body,
    responses: { 200: { description: 'The changed __item__.', schema: __item__Schema }, 404: notFound },
    handler: async ({ req, params, body }) =>
      to__Item__Dto(await service.update(currentUser(req).id, params.id, body)),
  });

  api.route(router, {
    method: 'delete',
    path: '/__name__/:id',
    summary: 'Delete one of your __name__',
    tags,
    auth: true,
    params: __item__Params,
    responses: { 204: { description: 'Deleted.' }, 404: notFound },
    handler: async ({ req, params }) => {
      await service.delete(currentUser(req).id, params.id);
    },
  });

  return router;
}
