import type { DbClient } from '../db.ts';

export function favoritesRepository(db: DbClient) {
  return {
    /** Favoriting twice is favoriting once. */
    async add(userId: string, articleId: string): Promise<void> {
      await db.favorite.createMany({ data: [{ userId, articleId }], skipDuplicates: true });
    },

    async remove(userId: string, articleId: string): Promise<void> {
      await db.favorite.deleteMany({ where: { userId, articleId } });
    },
  };
}
