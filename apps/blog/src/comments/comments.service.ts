import { ForbiddenError, NotFoundError } from '@mini/http';
import { articleNotFound } from '../articles/articles.service.ts';
import type { Store } from '../repositories.ts';
import type { Actor } from '../shared/actor.ts';
import type { CommentRecord } from './comments.repository.ts';
import type { CommentDto } from './comments.schemas.ts';

const toCommentDto = (c: CommentRecord): CommentDto => ({
  ...c,
  createdAt: c.createdAt.toISOString(),
  updatedAt: c.updatedAt.toISOString(),
});

export function createCommentsService(store: Store) {
  const { repos } = store;

  async function articleId(slug: string): Promise<string> {
    const article = await repos.articles.findForWrite(slug);
    if (!article) throw articleNotFound();
    return article.id;
  }

  return {
    async list(viewer: Actor | null, slug: string): Promise<CommentDto[]> {
      return (await repos.comments.list(await articleId(slug), viewer?.id ?? null)).map(toCommentDto);
    },

    async add(actor: Actor, slug: string, body: string): Promise<CommentDto> {
      const id = await articleId(slug);
      await repos.profiles.ensure(actor.id, actor.username);
      // An article deleted meanwhile is a foreign-key error, which the kit answers as 409, not a 500.
      const commentId = await repos.comments.create({ articleId: id, authorId: actor.id, body });
      const [comment] = await repos.comments.list(id, actor.id, commentId);
      if (!comment) throw articleNotFound();
      return toCommentDto(comment);
    },

    /** Only the comment's author may delete it; a comment of another article is 404 under this one. */
    async delete(actor: Actor, slug: string, commentId: number): Promise<void> {
      const comment = await repos.comments.find(await articleId(slug), commentId);
      if (!comment) {
        throw new NotFoundError('No such comment on this article.', {
          code: 'comment-not-found',
          errors: { comment: ['not found'] },
        });
      }
      if (comment.authorId !== actor.id) {
        throw new ForbiddenError('Only its author may delete a comment.', {
          code: 'not-the-author',
          errors: { comment: ['forbidden'] },
        });
      }
      await repos.comments.delete(comment.id);
    },
  };
}

export type CommentsService = ReturnType<typeof createCommentsService>;
