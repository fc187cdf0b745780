import { Router } from 'express';
import type { ApiRegistry } from '@mini/validation';
import { articleResponse, slugParams } from '../articles/articles.schemas.ts';
import { actorOf } from '../shared/actor.ts';
import type { FavoritesService } from './favorites.service.ts';

const tags = ['Favorites'];
const notFound = { description: 'No article has this slug (`errors.article`).' };

export function favoritesRoutes(api: ApiRegistry, favorites: FavoritesService): Router {
  const router = Router();

  api.route(router, {
    method: 'post',
    path: '/api/articles/:slug/favorite',
    summary: 'Favorite an article',
    description: 'Favoriting an article twice counts once.',
    tags,
    operationId: 'CreateArticleFavorite',
    auth: true,
    params: slugParams,
    responses: {
      200: { description: 'The article, favorited.', schema: articleResponse },
      404: notFound,
      409: { description: 'The article was deleted meanwhile.' },
    },
    handler: async ({ req, params }) => ({ article: await favorites.favorite(actorOf(req), params.slug) }),
  });

  api.route(router, {
    method: 'delete',
    path: '/api/articles/:slug/favorite',
    summary: 'Unfavorite an article',
    description: 'Unfavoriting an article you have not favorited changes nothing.',
    tags,
    operationId: 'DeleteArticleFavorite',
    auth: true,
    params: slugParams,
    responses: {
      200: { description: 'The article, not favorited.', schema: articleResponse },
      404: notFound,
    },
    handler: async ({ req, params }) => ({ article: await favorites.unfavorite(actorOf(req), params.slug) }),
  });

  return router;
}
