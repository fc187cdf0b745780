import type { IdempotencyKeys } from './repository.ts';

export interface SweepLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/**
 * Deletes expired keys every `intervalMs` (default hourly): they answer nothing any more, and the table
 * stays small. Returns the function that stops it (call it on shutdown). The timer does not keep the
 * process alive, and a failed sweep (the database down) is logged and tried again at the next tick.
 */
export function startIdempotencySweep(options: {
  keys: Pick<IdempotencyKeys, 'purgeOlderThan'>;
  ttlMs: number;
  logger: SweepLogger;
  intervalMs?: number;
}): () => void {
  const { keys, ttlMs, logger } = options;
  const timer = setInterval(() => {
    keys
      .purgeOlderThan(new Date(Date.now() - ttlMs))
      .then((count) => count > 0 && logger.info({ count }, 'expired idempotency keys purged'))
      .catch((err: unknown) => logger.warn({ err }, 'idempotency key purge failed'));
  }, options.intervalMs ?? 3_600_000);
  timer.unref();
  return () => clearInterval(timer);
}
