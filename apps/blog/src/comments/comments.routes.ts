import { Router, type RequestHandler } from 'express';
import type { ApiRegistry } from '@mini/validation';
import { slugParams } from '../articles/articles.schemas.ts';
import { actorOf, viewerOf } from '../shared/actor.ts';
import { commentListResponse, commentParams, commentResponse, newCommentBody } from './comments.schemas.ts';
import type { CommentsService } from './comments.service.ts';

const tags = ['Comments'];
const noArticle = { description: 'No article has this slug (`errors.article`).' };

export function commentsRoutes(
  api: ApiRegistry,
  comments: CommentsService,
  optionalAuth: RequestHandler,
): Router {
  const router = Router();

  api.route(router, {
    method: 'get',
    path: '/api/articles/:slug/comments',
    summary: 'Get comments for an article',
    description: 'In the order they were written. Auth optional: signed in, `author.following` is yours.',
    tags,
    operationId: 'GetArticleComments',
    middleware: [optionalAuth],
    params: slugParams,
    responses: {
      200: { description: "The article's comments.", schema: commentListResponse },
      401: { description: 'A token was sent and is not valid.' },
      404: noArticle,
    },
    handler: async ({ req, params }) => ({ comments: await comments.list(viewerOf(req), params.slug) }),
  });

  api.route(router, {
    method: 'post',
    path: '/api/articles/:slug/comments',
    summary: 'Create a comment for an article',
    tags,
    operationId: 'CreateArticleComment',
    auth: true,
    params: slugParams,
    body: newCommentBody,
    responses: {
      201: { description: 'The new comment.', schema: commentResponse },
      404: noArticle,
      409: { description: 'The article was deleted while the comment was being added.' },
    },
    handler: async ({ req, params, body }) => ({
      comment: await comments.add(actorOf(req), params.slug, body.comment.body),
    }),
  });

  api.route(router, {
    method: 'delete',
    path: '/api/articles/:slug/comments/:id',
    summary: 'Delete a comment for an article',
    description: "Only the comment's author may delete it.",
    tags,
    operationId: 'DeleteArticleComment',
    auth: true,
    params: commentParams,
    responses: {
      204: { description: 'Deleted.' },
      403: { description: 'You did not write it (`errors.comment`).' },
      404: { description: 'No such article, or no such comment on it (`errors.article`, `errors.comment`).' },
    },
    handler: async ({ req, params }) => {
      await comments.delete(actorOf(req), params.slug, params.id);
    },
  });

  return router;
}
