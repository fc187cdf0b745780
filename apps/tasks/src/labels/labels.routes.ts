import { Router } from 'express';
import type { ApiRegistry } from '@mini/validation';
import { projectParams } from '../projects/projects.schemas.ts';
import { actorOf } from '../shared/actor.ts';
import type { LabelRecord } from './labels.repository.ts';
import {
  createLabelBody,
  labelPageSchema,
  labelParams,
  labelSchema,
  listLabelsQuery,
} from './labels.schemas.ts';
import type { LabelsService } from './labels.service.ts';

const toLabelDto = (label: LabelRecord) => ({ ...label, createdAt: label.createdAt.toISOString() });

const notFound = { description: 'No such project or label, or you are not a member of the project.' };
const tags = ['Labels'];
const location = { Location: { description: 'The new label: `/projects/{projectId}/labels/{labelId}`.' } };

export function labelRoutes(api: ApiRegistry, labels: LabelsService): Router {
  const router = Router();

  api.route(router, {
    method: 'get',
    path: '/projects/:projectId/labels',
    summary: "List a project's labels",
    tags,
    auth: true,
    params: projectParams,
    query: listLabelsQuery,
    responses: { 200: { description: 'A page of labels, by name.', schema: labelPageSchema }, 404: notFound },
    handler: async ({ req, params, query }) => {
      const result = await labels.list(actorOf(req), params.projectId, query);
      return { items: result.items.map(toLabelDto), nextCursor: result.nextCursor };
    },
  });

  api.route(router, {
    method: 'post',
    path: '/projects/:projectId/labels',
    summary: 'Create a label (owner or editor)',
    tags,
    auth: true,
    params: projectParams,
    body: createLabelBody,
    responses: {
      201: { description: 'The new label.', schema: labelSchema, headers: location },
      403: { description: 'You can only view this project.' },
      404: notFound,
      409: { description: 'The project already has a label with this name.' },
    },
    handler: async ({ req, res, params, body }) => {
      const label = await labels.create(actorOf(req), params.projectId, body);
      res.location(`/projects/${params.projectId}/labels/${label.id}`);
      return toLabelDto(label);
    },
  });

  api.route(router, {
    method: 'get',
    path: '/projects/:projectId/labels/:labelId',
    summary: 'Get a label',
    tags,
    auth: true,
    params: labelParams,
    responses: { 200: { description: 'The label.', schema: labelSchema }, 404: notFound },
    handler: async ({ req, params }) =>
      toLabelDto(await labels.get(actorOf(req), params.projectId, params.labelId)),
  });

  api.route(router, {
    method: 'delete',
    path: '/projects/:projectId/labels/:labelId',
    summary: 'Delete a label; it is removed from every task (owner or editor)',
    tags,
    auth: true,
    params: labelParams,
    responses: {
      204: { description: 'Deleted.' },
      403: { description: 'You can only view this project.' },
      404: notFound,
    },
    handler: async ({ req, params }) => {
      await labels.delete(actorOf(req), params.projectId, params.labelId);
    },
  });

  return router;
}
