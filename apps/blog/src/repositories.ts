import { createStore as createKitStore, type Store as KitStore } from '@mini/db';
import type { Database, DbClient } from './db.ts';
import { articlesRepository } from './articles/articles.repository.ts';
import { commentsRepository } from './comments/comments.repository.ts';
import { favoritesRepository } from './favorites/favorites.repository.ts';
import { profilesRepository } from './profiles/profiles.repository.ts';
import { tagsRepository } from './tags/tags.repository.ts';

function repositoriesOn(db: DbClient) {
  return {
    profiles: profilesRepository(db),
    articles: articlesRepository(db),
    comments: commentsRepository(db),
    favorites: favoritesRepository(db),
    tags: tagsRepository(db),
  };
}

export type Repositories = ReturnType<typeof repositoriesOn>;

/** The repositories, and `transaction(fn)` to run several of them at once (see @mini/db's createStore). */
export type Store = KitStore<Repositories>;

export function createStore(db: Database): Store {
  return createKitStore(db, repositoriesOn);
}
