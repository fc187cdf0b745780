import type { DbClient } from '../db.ts';

export function tagsRepository(db: DbClient) {
  return {
    /** Every tag in use, the most used first (ties by name). */
    async inUse(): Promise<string[]> {
      const rows = await db.$queryRaw<Array<{ tag: string }>>`
        SELECT tag FROM articles, unnest(tag_list) AS tag
        GROUP BY tag ORDER BY count(*) DESC, tag ASC`;
      return rows.map((row) => row.tag);
    },
  };
}
