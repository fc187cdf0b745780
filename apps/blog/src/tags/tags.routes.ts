import { Router } from 'express';
import type { ApiRegistry } from '@mini/validation';
import { tagsResponse } from './tags.schemas.ts';
import type { TagsService } from './tags.service.ts';

export function tagsRoutes(api: ApiRegistry, tags: TagsService): Router {
  const router = Router();

  api.route(router, {
    method: 'get',
    path: '/api/tags',
    summary: 'Get tags',
    description: 'Every tag some article carries, the most used first (ties by name).',
    tags: ['Tags'],
    operationId: 'GetTags',
    responses: { 200: { description: 'The tags.', schema: tagsResponse } },
    handler: () => tags.list(),
  });

  return router;
}
