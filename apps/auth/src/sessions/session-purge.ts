import { intervalJob, type BackgroundJob } from '@mini/service';
import type { Database } from '../db.ts';
import { createStore } from '../repositories.ts';
import { pruneExpiredRevocations } from '../revocation/revocation-relay.ts';

const HOUR_MS = 3600_000;
// Ended sessions stay visible for a week (audits, "was that me?"), then they and their spent refresh
// tokens are deleted: nothing piles up.
const KEEP_ENDED_MS = 7 * 24 * HOUR_MS;

/** At start and hourly: ended sessions, spent rate-limit windows and expired revocations are deleted. */
export function sessionPurgeJob(db: Database, options: { accessTokenTtlSeconds: number }): BackgroundJob {
  const { sessions, rateLimits, revocationOutbox: outbox } = createStore(db).repos;
  return intervalJob(
    'session purge',
    HOUR_MS,
    async (logger) => {
      const deleted = await sessions.purgeEndedBefore(new Date(Date.now() - KEEP_ENDED_MS));
      if (deleted > 0) logger.info({ deleted }, 'purged ended sessions');
      // Rate limit counters whose window has ended count nothing any more.
      await rateLimits.purgeEnded();
      // Without Redis nothing publishes the revocation outbox: its rows go once their tokens have expired.
      await pruneExpiredRevocations(outbox, options.accessTokenTtlSeconds);
    },
    { runAtStart: true },
  );
}
