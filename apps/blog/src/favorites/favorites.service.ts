import { articleNotFound, toArticleDto } from '../articles/articles.service.ts';
import type { ArticleDto } from '../articles/articles.schemas.ts';
import type { Store } from '../repositories.ts';
import type { Actor } from '../shared/actor.ts';

export function createFavoritesService(store: Store) {
  const { repos } = store;

  async function articleId(slug: string): Promise<string> {
    const article = await repos.articles.findForWrite(slug);
    if (!article) throw articleNotFound();
    return article.id;
  }

  async function answer(slug: string, actor: Actor): Promise<ArticleDto> {
    const article = await repos.articles.findBySlug(slug, actor.id);
    if (!article) throw articleNotFound();
    return toArticleDto(article);
  }

  return {
    async favorite(actor: Actor, slug: string): Promise<ArticleDto> {
      const id = await articleId(slug);
      await repos.profiles.ensure(actor.id, actor.username);
      // An article deleted meanwhile is a foreign-key error, which the kit answers as 409, not a 500.
      await repos.favorites.add(actor.id, id);
      return answer(slug, actor);
    },

    async unfavorite(actor: Actor, slug: string): Promise<ArticleDto> {
      await repos.favorites.remove(actor.id, await articleId(slug));
      return answer(slug, actor);
    },
  };
}

export type FavoritesService = ReturnType<typeof createFavoritesService>;
