import { Router, type RequestHandler } from 'express';
import type { ApiRegistry } from '@mini/validation';
import { actorOf, viewerOf } from '../shared/actor.ts';
import {
  articleListResponse,
  articleResponse,
  feedQuery,
  listArticlesQuery,
  newArticleBody,
  slugParams,
  updateArticleBody,
} from './articles.schemas.ts';
import type { ArticlesService } from './articles.service.ts';

const tags = ['Articles'];
const notFound = { description: 'No article has this slug (`errors.article`).' };
const forbidden = { description: 'You are not its author (`errors.article`).' };
const badToken = { description: 'A token was sent and is not valid.' };

export function articlesRoutes(
  api: ApiRegistry,
  articles: ArticlesService,
  optionalAuth: RequestHandler,
): Router {
  const router = Router();

  // Before /api/articles/:slug, which would otherwise take "feed" for a slug.
  api.route(router, {
    method: 'get',
    path: '/api/articles/feed',
    summary: 'Get recent articles from users you follow',
    description: 'Newest first, without bodies; `articlesCount` counts them all.',
    tags,
    operationId: 'GetArticlesFeed',
    auth: true,
    query: feedQuery,
    responses: { 200: { description: 'A page of the feed.', schema: articleListResponse } },
    handler: ({ req, query }) => articles.feed(actorOf(req), query),
  });

  api.route(router, {
    method: 'get',
    path: '/api/articles',
    summary: 'Get recent articles globally',
    description:
      'Newest first, without bodies, filtered by `tag`, `author` and/or `favorited` (usernames); `limit` ' +
      '(default 20) and `offset` page through them; `articlesCount` counts every match. Auth optional.',
    tags,
    operationId: 'GetArticles',
    middleware: [optionalAuth],
    query: listArticlesQuery,
    responses: { 200: { description: 'A page of articles.', schema: articleListResponse }, 401: badToken },
    handler: ({ req, query }) => {
      const { limit, offset, ...filter } = query;
      return articles.list(viewerOf(req), filter, { limit, offset });
    },
  });

  api.route(router, {
    method: 'post',
    path: '/api/articles',
    summary: 'Create an article',
    description:
      'The slug is made from the title; another article with the same title gets the same slug with a random ' +
      'ending. `tagList` keeps the order given (repeats dropped).',
    tags,
    operationId: 'CreateArticle',
    auth: true,
    body: newArticleBody,
    responses: { 201: { description: 'The new article.', schema: articleResponse } },
    handler: async ({ req, body }) => ({ article: await articles.create(actorOf(req), body.article) }),
  });

  api.route(router, {
    method: 'get',
    path: '/api/articles/:slug',
    summary: 'Get an article',
    description: 'Auth optional: signed in, `favorited` and `author.following` are yours.',
    tags,
    operationId: 'GetArticle',
    middleware: [optionalAuth],
    params: slugParams,
    responses: {
      200: { description: 'The article.', schema: articleResponse },
      401: badToken,
      404: notFound,
    },
    handler: async ({ req, params }) => ({ article: await articles.get(viewerOf(req), params.slug) }),
  });

  api.route(router, {
    method: 'put',
    path: '/api/articles/:slug',
    summary: 'Update an article',
    description:
      'Fields left out are kept; `tagList: []` clears the tags, `tagList: null` is 422. A new title makes a new ' +
      'slug (the answer has it).',
    tags,
    operationId: 'UpdateArticle',
    auth: true,
    params: slugParams,
    body: updateArticleBody,
    responses: {
      200: { description: 'The article, changed.', schema: articleResponse },
      403: forbidden,
      404: notFound,
    },
    handler: async ({ req, params, body }) => ({
      article: await articles.update(actorOf(req), params.slug, body.article),
    }),
  });

  api.route(router, {
    method: 'delete',
    path: '/api/articles/:slug',
    summary: 'Delete an article',
    tags,
    operationId: 'DeleteArticle',
    auth: true,
    params: slugParams,
    responses: { 204: { description: 'Deleted.' }, 403: forbidden, 404: notFound },
    handler: async ({ req, params }) => {
      await articles.delete(actorOf(req), params.slug);
    },
  });

  return router;
}
