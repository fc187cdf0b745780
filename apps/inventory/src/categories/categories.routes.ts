import { Router } from 'express';
import type { ApiRegistry } from '@mini/validation';
import { forbidden, writers } from '../shared/access.ts';
import type { CategoryRecord } from './categories.repository.ts';
import {
  categoryPageSchema,
  categoryParams,
  categorySchema,
  createCategoryBody,
  listCategoriesQuery,
} from './categories.schemas.ts';
import { categoryNameTaken, categoryNotFound, type CategoriesService } from './categories.service.ts';

const toDto = (category: CategoryRecord) => ({ ...category, createdAt: category.createdAt.toISOString() });
const tags = ['Categories'];

export function categoryRoutes(api: ApiRegistry, categories: CategoriesService): Router {
  const router = Router();

  api.route(router, {
    method: 'get',
    path: '/categories',
    summary: 'List categories by name',
    tags,
    auth: true,
    query: listCategoriesQuery,
    responses: { 200: { description: 'A page of categories.', schema: categoryPageSchema } },
    handler: async ({ query }) => {
      const page = await categories.list(query);
      return { items: page.items.map(toDto), nextCursor: page.nextCursor };
    },
  });

  api.route(router, {
    method: 'post',
    path: '/categories',
    summary: 'Create a category (manager or admin)',
    tags,
    auth: true,
    middleware: writers,
    body: createCategoryBody,
    responses: {
      201: {
        description: 'The new category.',
        schema: categorySchema,
        headers: { Location: { description: 'The new category: `/categories/{categoryId}`.' } },
      },
      403: forbidden,
      409: {
        description: 'The name is taken (letter case does not matter).',
        problems: [categoryNameTaken()],
      },
    },
    handler: async ({ res, body }) => {
      const category = await categories.create(body);
      res.location(`/categories/${category.id}`);
      return toDto(category);
    },
  });

  api.route(router, {
    method: 'get',
    path: '/categories/:categoryId',
    summary: 'Get a category',
    tags,
    auth: true,
    params: categoryParams,
    responses: {
      200: { description: 'The category.', schema: categorySchema },
      404: { description: 'No such category.', problems: [categoryNotFound()] },
    },
    handler: async ({ params }) => toDto(await categories.get(params.categoryId)),
  });

  return router;
}
