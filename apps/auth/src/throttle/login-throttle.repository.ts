import type { DbClient } from '../db.ts';

export interface FailurePolicy {
  maxFailures: number;
  windowSeconds: number;
  lockBaseSeconds: number;
  lockMaxSeconds: number;
}

/**
 * A reservation older than this is treated as leaked (its process died between reserving and releasing):
 * far longer than any password check, even one queued behind a busy thread pool.
 */
export const IN_FLIGHT_STALE_SECONDS = 60;

export function createLoginThrottleRepository(prisma: DbClient) {
  return {
    /** The latest lock end among the keys, or null when none is locked now. */
    async lockedUntil(keys: string[]): Promise<Date | null> {
      const rows = await prisma.loginThrottle.findMany({
        where: { key: { in: keys }, lockedUntil: { gt: new Date() } },
        select: { lockedUntil: true },
      });
      const ends = rows.flatMap((row) => (row.lockedUntil ? [row.lockedUntil.getTime()] : []));
      return ends.length === 0 ? null : new Date(Math.max(...ends));
    },

    /**
     * Reserves one password check for a key, in a single statement, before the check runs: it succeeds only
     * while the key is not locked and failures so far plus checks in progress stay below the limit (after a
     * lock has run out: one check at a time, each failure locking again for longer). So however many
     * attempts arrive at once, at most `maxFailures` of them can be checked (and fail) before the lock.
     * True when reserved; the caller must release it (releaseFailure, releaseSuccess or releaseUnused).
     */
    async reserve(key: string, policy: FailurePolicy): Promise<boolean> {
      const rows = await prisma.$queryRaw<{ key: string }[]>`
        INSERT INTO login_throttles AS t (key, failures, last_failure_at, locked_until, in_flight, in_flight_at)
        VALUES (${key}, 0, now(), NULL, 1, now())
        ON CONFLICT (key) DO UPDATE SET
          in_flight = CASE WHEN t.in_flight_at < now() - make_interval(secs => ${IN_FLIGHT_STALE_SECONDS})
                           THEN 0 ELSE t.in_flight END + 1,
          in_flight_at = now()
        WHERE (t.locked_until IS NULL OR t.locked_until <= now())
          AND CASE WHEN t.in_flight_at < now() - make_interval(secs => ${IN_FLIGHT_STALE_SECONDS})
                   THEN 0 ELSE t.in_flight END
            < GREATEST(${policy.maxFailures} - CASE
                WHEN t.last_failure_at < now() - make_interval(secs => ${policy.windowSeconds})
                 AND (t.locked_until IS NULL OR t.locked_until < now() - make_interval(secs => ${policy.windowSeconds}))
                THEN 0 ELSE t.failures END, 1)
        RETURNING key`;
      return rows.length === 1;
    },

    /**
     * Releases a reservation and counts a failure, in one statement (concurrent failures all count). Once
     * the count reaches the limit the key is locked for base * 2^(failures - limit) seconds, capped. The
     * count starts over only after a whole quiet window following the last failure and the end of any
     * lock, so each lock after the first is longer: the growing back-off.
     */
    async releaseFailure(key: string, policy: FailurePolicy): Promise<void> {
      await prisma.$executeRaw`
        WITH counted AS (
          SELECT key, CASE
              WHEN last_failure_at < now() - make_interval(secs => ${policy.windowSeconds})
               AND (locked_until IS NULL OR locked_until < now() - make_interval(secs => ${policy.windowSeconds}))
              THEN 1 ELSE failures + 1 END AS failures
          FROM login_throttles WHERE key = ${key} FOR UPDATE
        )
        UPDATE login_throttles AS t SET
          failures = counted.failures,
          last_failure_at = now(),
          in_flight = GREATEST(t.in_flight - 1, 0),
          locked_until = CASE WHEN counted.failures >= ${policy.maxFailures}
            THEN now() + make_interval(secs => LEAST(
              ${policy.lockMaxSeconds}::float8,
              ${policy.lockBaseSeconds}::float8 * power(2, LEAST(counted.failures - ${policy.maxFailures}, 30))))
            ELSE t.locked_until END
        FROM counted WHERE t.key = counted.key`;
    },

    /** Releases a reservation after a right password; `resetFailures` also clears the count (not any lock). */
    async releaseSuccess(key: string, resetFailures: boolean): Promise<void> {
      await prisma.$executeRaw`
        UPDATE login_throttles SET
          in_flight = GREATEST(in_flight - 1, 0),
          failures = CASE WHEN ${resetFailures} THEN 0 ELSE failures END
        WHERE key = ${key}`;
    },

    /** Releases a reservation whose check never ran (the server was too busy, the database failed ...). */
    async releaseUnused(key: string): Promise<void> {
      await prisma.$executeRaw`
        UPDATE login_throttles SET in_flight = GREATEST(in_flight - 1, 0) WHERE key = ${key}`;
    },
  };
}

export type LoginThrottleRepository = ReturnType<typeof createLoginThrottleRepository>;
