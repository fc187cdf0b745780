import type { DbClient } from '../db.ts';
import type { AuthorRecord } from '../articles/articles.repository.ts';

export interface CommentRecord {
  id: number;
  body: string;
  createdAt: Date;
  updatedAt: Date;
  author: AuthorRecord;
}

const NOBODY = '00000000-0000-0000-0000-000000000000';

export function commentsRepository(db: DbClient) {
  return {
    /** The article's comments in the order they were written (or the one with `onlyId`). */
    async list(articleId: string, viewerId: string | null, onlyId?: number): Promise<CommentRecord[]> {
      const rows = await db.comment.findMany({
        where: { articleId, ...(onlyId === undefined ? {} : { id: onlyId }) },
        orderBy: { id: 'asc' },
        select: {
          id: true,
          body: true,
          createdAt: true,
          updatedAt: true,
          author: {
            select: {
              username: true,
              bio: true,
              image: true,
              followers: { where: { followerId: viewerId ?? NOBODY }, select: { followerId: true } },
            },
          },
        },
      });
      return rows.map(({ author: { followers, ...author }, ...comment }) => ({
        ...comment,
        author: { ...author, following: followers.length > 0 },
      }));
    },

    async create(input: { articleId: string; authorId: string; body: string }): Promise<number> {
      return (await db.comment.create({ data: input, select: { id: true } })).id;
    },

    async find(articleId: string, id: number): Promise<{ id: number; authorId: string } | null> {
      return db.comment.findFirst({ where: { id, articleId }, select: { id: true, authorId: true } });
    },

    async delete(id: number): Promise<void> {
      await db.comment.deleteMany({ where: { id } });
    },
  };
}
