import { Router } from 'express';
import { idempotencyKeyReused, idempotentReplayedHeader, idempotentRequest } from '@mini/idempotency';
import { parseIfMatch, withEtag } from '@mini/http';
import type { ApiRegistry } from '@mini/validation';
import { projectParams } from '../projects/projects.schemas.ts';
import { actorOf } from '../shared/actor.ts';
import {
  activityPageSchema,
  bulkBody,
  bulkResultSchema,
  conditionalWriteHeaders,
  createTaskBody,
  createTaskHeaders,
  etagHeader,
  getTaskHeaders,
  listActivityQuery,
  listMyTasksQuery,
  listProjectTasksQuery,
  taskPageSchema,
  taskParams,
  taskSchema,
  updateTaskBody,
} from './tasks.schemas.ts';
import { staleVersion, type TasksService } from './tasks.service.ts';

const taskNotFound = { description: 'No such task, or you are not a member of its project.' };
const projectNotFound = { description: 'No such project, or you are not a member of it.' };
const viewerOnly = { description: 'You can only view this project.' };
const archived = { description: 'The project is archived (read-only).' };
const tags = ['Tasks'];

export function taskRoutes(api: ApiRegistry, tasks: TasksService): Router {
  const router = Router();

  api.route(router, {
    method: 'post',
    path: '/projects/:projectId/tasks',
    summary: 'Create a task (owner or editor)',
    description:
      'Send an `Idempotency-Key` header (e.g. a UUID) to make retries safe: a repeat with the same key and body ' +
      'returns the first response (with `Idempotent-Replayed: true`) and creates nothing; the same key with a ' +
      'different body is 422. Keys are kept for 24 hours.',
    tags,
    auth: true,
    params: projectParams,
    headers: createTaskHeaders,
    body: createTaskBody,
    responses: {
      201: {
        description: 'The new task; its version is in the ETag header.',
        schema: taskSchema,
        headers: {
          ETag: etagHeader,
          Location: { description: 'The new task: `/tasks/{taskId}`.' },
          'Idempotent-Replayed': idempotentReplayedHeader,
        },
      },
      403: viewerOnly,
      404: projectNotFound,
      409: archived,
      422: {
        description:
          'Validation failed (`errors` per field), or the Idempotency-Key was already used for a different request (`idempotency-key-reused`).',
        problems: [idempotencyKeyReused()],
      },
    },
    handler: async ({ req, res, params, headers, body }) => {
      const actor = actorOf(req);
      const idempotency = idempotentRequest(req, actor.id, headers['Idempotency-Key'], body);
      const { task, replayed } = await tasks.create(actor, params.projectId, body, idempotency);
      if (replayed) res.setHeader('Idempotent-Replayed', 'true');
      res.location(`/tasks/${task.id}`);
      return withEtag(res, task);
    },
  });

  api.route(router, {
    method: 'get',
    path: '/projects/:projectId/tasks',
    summary: "List a project's tasks, filtered and sorted",
    description: 'Keyset pagination: follow `nextCursor` with the same filters and sort.',
    tags,
    auth: true,
    params: projectParams,
    query: listProjectTasksQuery,
    responses: { 200: { description: 'A page of tasks.', schema: taskPageSchema }, 404: projectNotFound },
    handler: ({ req, params, query }) => tasks.list(actorOf(req), { projectId: params.projectId }, query),
  });

  api.route(router, {
    method: 'get',
    path: '/tasks',
    summary: 'List tasks across all your active projects ("my tasks" with assignee=me)',
    tags,
    auth: true,
    query: listMyTasksQuery,
    responses: { 200: { description: 'A page of tasks.', schema: taskPageSchema } },
    handler: ({ req, query }) => tasks.list(actorOf(req), 'mine', query),
  });

  api.route(router, {
    method: 'post',
    path: '/tasks/bulk',
    summary: 'Change status, assignee or labels of up to 100 tasks, all or nothing',
    description:
      'Every task must be visible to you (404 otherwise) and writable (403); one failure changes nothing.',
    tags,
    auth: true,
    body: bulkBody,
    responses: {
      200: { description: 'The tasks after the change, in request order.', schema: bulkResultSchema },
      403: viewerOnly,
      404: { description: 'At least one task does not exist or is not yours; `missingTaskIds` lists them.' },
      409: archived,
    },
    handler: async ({ req, body }) => ({
      items: await tasks.bulkUpdate(actorOf(req), body.taskIds, body.set),
    }),
  });

  api.route(router, {
    method: 'get',
    path: '/tasks/:taskId',
    summary: 'Get a task',
    tags,
    auth: true,
    params: taskParams,
    // Express answers 304 itself when If-None-Match names the ETag withEtag sets.
    headers: getTaskHeaders,
    responses: {
      200: {
        description: 'The task; its version is in the ETag header.',
        schema: taskSchema,
        headers: { ETag: etagHeader },
      },
      304: { description: 'Not modified: your copy (If-None-Match) is current.' },
      404: taskNotFound,
    },
    handler: async ({ req, res, params }) => withEtag(res, await tasks.get(actorOf(req), params.taskId)),
  });

  api.route(router, {
    method: 'patch',
    path: '/tasks/:taskId',
    summary: 'Update a task, or move it to another project (owner or editor)',
    description:
      '`If-Match: "<version>"` (optional, recommended) makes the write conditional: if someone changed the task ' +
      'since you read it, the answer is 412 and nothing is written. Setting status to done sets completedAt; ' +
      'leaving done clears it. Moving (`projectId`) needs write access to both projects; labels do not move.',
    tags,
    auth: true,
    params: taskParams,
    headers: conditionalWriteHeaders,
    body: updateTaskBody,
    responses: {
      200: {
        description: 'The updated task; the new version is in the ETag header.',
        schema: taskSchema,
        headers: { ETag: etagHeader },
      },
      403: viewerOnly,
      404: taskNotFound,
      409: archived,
      412: {
        description: 'If-Match names an outdated version; `currentVersion` says the current one.',
        problems: [staleVersion(3)],
      },
    },
    handler: async ({ req, res, params, headers, body }) =>
      withEtag(res, await tasks.update(actorOf(req), params.taskId, body, parseIfMatch(headers['If-Match']))),
  });

  api.route(router, {
    method: 'delete',
    path: '/tasks/:taskId',
    summary: 'Delete a task (owner or editor)',
    description: '`If-Match` works as for PATCH.',
    tags,
    auth: true,
    params: taskParams,
    headers: conditionalWriteHeaders,
    responses: {
      204: { description: 'Deleted.' },
      403: viewerOnly,
      404: taskNotFound,
      409: archived,
      412: { description: 'If-Match names an outdated version.', problems: [staleVersion(3)] },
    },
    handler: async ({ req, params, headers }) => {
      await tasks.delete(actorOf(req), params.taskId, parseIfMatch(headers['If-Match']));
    },
  });

  api.route(router, {
    method: 'get',
    path: '/tasks/:taskId/activity',
    summary: "A task's history: who changed which field when, from what to what",
    tags,
    auth: true,
    params: taskParams,
    query: listActivityQuery,
    responses: {
      200: { description: 'A page of entries, oldest first.', schema: activityPageSchema },
      404: taskNotFound,
    },
    handler: ({ req, params, query }) => tasks.activity(actorOf(req), params.taskId, query),
  });

  return router;
}
