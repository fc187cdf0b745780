import type { Store } from '../repositories.ts';

export function createTagsService(store: Store) {
  return {
    list: async () => ({ tags: await store.repos.tags.inUse() }),
  };
}

export type TagsService = ReturnType<typeof createTagsService>;
