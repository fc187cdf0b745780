import { isUniqueViolation } from '@mini/db';
import type { DbClient } from '../db.ts';
import type { Prisma } from '../generated/prisma/client.ts';

export interface AuthorRecord {
  username: string;
  bio: string | null;
  image: string | null;
  following: boolean;
}

export interface ArticleSummary {
  id: string;
  slug: string;
  title: string;
  description: string;
  tagList: string[];
  createdAt: Date;
  updatedAt: Date;
  favorited: boolean;
  favoritesCount: number;
  author: AuthorRecord;
}

export interface ArticleRecord extends ArticleSummary {
  body: string;
}

export interface ArticleFilter {
  tag?: string | undefined;
  /** The author's username. */
  author?: string | undefined;
  /** The username of someone who favorited it. */
  favorited?: string | undefined;
  /** Only authors this user follows (the feed). */
  followedBy?: string | undefined;
}

// A viewer who is nobody: "does the viewer follow / favorite" then matches no row, with the same query shape.
const NOBODY = '00000000-0000-0000-0000-000000000000';

function summarySelect(viewerId: string | null) {
  const viewer = viewerId ?? NOBODY;
  return {
    id: true,
    slug: true,
    title: true,
    description: true,
    tagList: true,
    createdAt: true,
    updatedAt: true,
    author: {
      select: {
        username: true,
        bio: true,
        image: true,
        followers: { where: { followerId: viewer }, select: { followerId: true } },
      },
    },
    favorites: { where: { userId: viewer }, select: { userId: true } },
    _count: { select: { favorites: true } },
  } as const;
}

type SummaryRow = Prisma.ArticleGetPayload<{ select: ReturnType<typeof summarySelect> }>;

function toSummary(row: SummaryRow): ArticleSummary {
  const { author, favorites, _count, ...article } = row;
  return {
    ...article,
    favorited: favorites.length > 0,
    favoritesCount: _count.favorites,
    author: {
      username: author.username,
      bio: author.bio,
      image: author.image,
      following: author.followers.length > 0,
    },
  };
}

function whereOf(filter: ArticleFilter): Prisma.ArticleWhereInput {
  return {
    ...(filter.tag === undefined ? {} : { tagList: { has: filter.tag } }),
    ...(filter.author === undefined ? {} : { author: { username: filter.author } }),
    ...(filter.favorited === undefined
      ? {}
      : { favorites: { some: { user: { username: filter.favorited } } } }),
    ...(filter.followedBy === undefined
      ? {}
      : { author: { followers: { some: { followerId: filter.followedBy } } } }),
  };
}

export function articlesRepository(db: DbClient) {
  return {
    /** A page, newest first, without bodies, and how many match in all. */
    async list(
      filter: ArticleFilter,
      viewerId: string | null,
      page: { limit: number; offset: number },
    ): Promise<{ articles: ArticleSummary[]; count: number }> {
      const where = whereOf(filter);
      const [rows, count] = await Promise.all([
        db.article.findMany({
          where,
          select: summarySelect(viewerId),
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          take: page.limit,
          skip: page.offset,
        }),
        db.article.count({ where }),
      ]);
      return { articles: rows.map(toSummary), count };
    },

    async findBySlug(slug: string, viewerId: string | null): Promise<ArticleRecord | null> {
      const row = await db.article.findUnique({
        where: { slug },
        select: { ...summarySelect(viewerId), body: true },
      });
      if (!row) return null;
      const { body, ...summary } = row;
      return { ...toSummary(summary), body };
    },

    /** What an edit or a deletion checks first: who wrote it, and the title its slug was made from. */
    async findForWrite(slug: string): Promise<{ id: string; authorId: string; title: string } | null> {
      return db.article.findUnique({ where: { slug }, select: { id: true, authorId: true, title: true } });
    },

    /** The new article's id, or null when the slug is taken. */
    async create(input: {
      slug: string;
      title: string;
      description: string;
      body: string;
      tagList: string[];
      authorId: string;
    }): Promise<string | null> {
      try {
        return (await db.article.create({ data: input, select: { id: true } })).id;
      } catch (err) {
        if (isUniqueViolation(err)) return null;
        throw err;
      }
    },

    /** False when the new slug is taken. */
    async update(
      id: string,
      changes: { slug?: string; title?: string; description?: string; body?: string; tagList?: string[] },
    ): Promise<boolean> {
      try {
        await db.article.update({ where: { id }, data: changes, select: { id: true } });
        return true;
      } catch (err) {
        if (isUniqueViolation(err)) return false;
        throw err;
      }
    },

    async delete(id: string): Promise<void> {
      await db.article.delete({ where: { id } });
    },
  };
}
