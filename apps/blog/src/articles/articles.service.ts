import { ForbiddenError, NotFoundError } from '@mini/http';
import type { Store } from '../repositories.ts';
import type { Actor } from '../shared/actor.ts';
import type { ArticleFilter, ArticleRecord, ArticleSummary } from './articles.repository.ts';
import type { ArticleChanges, ArticleDto, ArticleSummaryDto, NewArticle } from './articles.schemas.ts';
import { SLUG_ATTEMPTS, slugBase, slugCandidate } from './slugs.ts';

export const articleNotFound = () =>
  new NotFoundError('No such article.', { code: 'article-not-found', errors: { article: ['not found'] } });

const notTheAuthor = () =>
  new ForbiddenError('Only its author may change or delete an article.', {
    code: 'not-the-author',
    errors: { article: ['forbidden'] },
  });

export const toSummaryDto = ({ id: _id, ...a }: ArticleSummary): ArticleSummaryDto => ({
  ...a,
  createdAt: a.createdAt.toISOString(),
  updatedAt: a.updatedAt.toISOString(),
});

export const toArticleDto = (a: ArticleRecord): ArticleDto => ({ ...toSummaryDto(a), body: a.body });

export interface Page {
  limit: number;
  offset: number;
}

export function createArticlesService(store: Store) {
  const { repos } = store;

  async function mustGet(slug: string, viewerId: string | null): Promise<ArticleRecord> {
    const article = await repos.articles.findBySlug(slug, viewerId);
    if (!article) throw articleNotFound();
    return article;
  }

  async function list(filter: ArticleFilter, viewerId: string | null, page: Page) {
    const { articles, count } = await repos.articles.list(filter, viewerId, page);
    return { articles: articles.map(toSummaryDto), articlesCount: count };
  }

  return {
    list: (viewer: Actor | null, filter: ArticleFilter, page: Page) => list(filter, viewer?.id ?? null, page),

    /** Articles of the authors the caller follows, newest first. */
    feed: (actor: Actor, page: Page) => list({ followedBy: actor.id }, actor.id, page),

    get: async (viewer: Actor | null, slug: string) => toArticleDto(await mustGet(slug, viewer?.id ?? null)),

    /**
     * The slug is the title's, or, when another article has that one, the title's with a random ending.
     * Each attempt is its own statement (a unique violation inside a transaction would abort it).
     */
    async create(actor: Actor, input: NewArticle): Promise<ArticleDto> {
      await repos.profiles.ensure(actor.id, actor.username);
      const base = slugBase(input.title);
      for (let attempt = 0; attempt < SLUG_ATTEMPTS; attempt++) {
        const slug = slugCandidate(base, attempt);
        const id = await repos.articles.create({
          slug,
          title: input.title,
          description: input.description,
          body: input.body,
          tagList: input.tagList ?? [],
          authorId: actor.id,
        });
        if (id !== null) return toArticleDto(await mustGet(slug, actor.id));
      }
      throw new Error(`no free slug for "${base}" after ${SLUG_ATTEMPTS} attempts`);
    },

    /**
     * Fields left out are kept (`tagList` too; `[]` clears the tags). A new title makes a new slug, as
     * RealWorld's reference implementations do; the answer carries it.
     */
    async update(actor: Actor, slug: string, changes: ArticleChanges): Promise<ArticleDto> {
      const article = await repos.articles.findForWrite(slug);
      if (!article) throw articleNotFound();
      if (article.authorId !== actor.id) throw notTheAuthor();
      const retitled = changes.title !== undefined && changes.title !== article.title;
      const base = retitled ? slugBase(changes.title ?? '') : undefined;
      for (let attempt = 0; attempt < SLUG_ATTEMPTS; attempt++) {
        const newSlug = base === undefined ? undefined : slugCandidate(base, attempt);
        const saved = await repos.articles.update(article.id, {
          ...changes,
          ...(newSlug === undefined || newSlug === slug ? {} : { slug: newSlug }),
        });
        if (saved) return toArticleDto(await mustGet(newSlug ?? slug, actor.id));
      }
      throw new Error(`no free slug for "${base ?? slug}" after ${SLUG_ATTEMPTS} attempts`);
    },

    async delete(actor: Actor, slug: string): Promise<void> {
      const article = await repos.articles.findForWrite(slug);
      if (!article) throw articleNotFound();
      if (article.authorId !== actor.id) throw notTheAuthor();
      await repos.articles.delete(article.id);
    },
  };
}

export type ArticlesService = ReturnType<typeof createArticlesService>;
