import type { IdempotencyKeys } from './repository.ts';

export interface SweepLogger {
  info(obj: object, msg: string): void;
}

/**
 * Deletes the keys older than `ttlMs`: they answer nothing any more, and the table stays small. A service
 * runs it hourly as one of its background jobs (`@mini/service`'s intervalJob), which logs a failure and
 * tries again at the next tick.
 */
export function purgeExpiredIdempotencyKeys(options: {
  keys: Pick<IdempotencyKeys, 'purgeOlderThan'>;
  ttlMs: number;
}): (logger: SweepLogger) => Promise<number> {
  return async (logger) => {
    const count = await options.keys.purgeOlderThan(new Date(Date.now() - options.ttlMs));
    if (count > 0) logger.info({ count }, 'expired idempotency keys purged');
    return count;
  };
}
