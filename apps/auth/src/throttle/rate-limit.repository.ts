import type { DbClient } from '../db.ts';

export function createRateLimitRepository(prisma: DbClient) {
  return {
    /**
     * Counts one request for a key in a fixed window, in one statement (concurrent requests all count),
     * and returns the count so far in the window and when the window ends.
     */
    async hit(key: string, windowSeconds: number): Promise<{ hits: number; windowEndsAt: Date }> {
      const rows = await prisma.$queryRaw<{ hits: number; window_ends_at: Date }[]>`
        INSERT INTO rate_limits AS r (key, hits, window_ends_at)
        VALUES (${key}, 1, now() + make_interval(secs => ${windowSeconds}))
        ON CONFLICT (key) DO UPDATE SET
          hits = CASE WHEN r.window_ends_at <= now() THEN 1 ELSE r.hits + 1 END,
          window_ends_at = CASE WHEN r.window_ends_at <= now()
            THEN now() + make_interval(secs => ${windowSeconds}) ELSE r.window_ends_at END
        RETURNING hits, window_ends_at`;
      const row = rows[0];
      if (!row) throw new Error('rate limit upsert returned no row');
      return { hits: row.hits, windowEndsAt: row.window_ends_at };
    },

    /** Deletes counters whose window has ended (the hourly purge). */
    async purgeEnded(): Promise<number> {
      const result = await prisma.rateLimit.deleteMany({ where: { windowEndsAt: { lt: new Date() } } });
      return result.count;
    },
  };
}

export type RateLimitRepository = ReturnType<typeof createRateLimitRepository>;
