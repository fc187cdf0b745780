import type { PrismaClient } from '../generated/prisma/client.ts';

export interface FailurePolicy {
  maxFailures: number;
  windowSeconds: number;
  lockBaseSeconds: number;
  lockMaxSeconds: number;
}

export function createLoginThrottleRepository(prisma: PrismaClient) {
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
     * Counts one failure for a key in a single statement (concurrent failures all count) and, once the
     * count passes the limit, locks the key for base * 2^(failures - limit) seconds, capped. The count
     * starts over only after a whole quiet window following the last failure and the end of any lock,
     * so each lock after the first is longer: the growing back-off.
     */
    async recordFailure(key: string, policy: FailurePolicy): Promise<void> {
      await prisma.$executeRaw`
        INSERT INTO login_throttles AS t (key, failures, last_failure_at, locked_until)
        VALUES (${key}, 1, now(), NULL)
        ON CONFLICT (key) DO UPDATE SET
          failures = CASE
            WHEN t.last_failure_at < now() - make_interval(secs => ${policy.windowSeconds})
             AND (t.locked_until IS NULL OR t.locked_until < now() - make_interval(secs => ${policy.windowSeconds}))
            THEN 1 ELSE t.failures + 1 END,
          last_failure_at = now()`;
      await prisma.$executeRaw`
        UPDATE login_throttles
        SET locked_until = now() + make_interval(secs => LEAST(
          ${policy.lockMaxSeconds}::float8,
          ${policy.lockBaseSeconds}::float8 * power(2, LEAST(failures - ${policy.maxFailures}, 30))))
        WHERE key = ${key} AND failures >= ${policy.maxFailures}`;
    },

    async reset(key: string): Promise<void> {
      await prisma.loginThrottle.deleteMany({ where: { key } });
    },
  };
}

export type LoginThrottleRepository = ReturnType<typeof createLoginThrottleRepository>;
