import { Redis } from 'ioredis';
import { boundedRedisOptions, revokedSessionKey } from '@mini/auth';
import type { Logger } from '@mini/logger';

/**
 * Tells the other services that sessions have ended, so they reject those sessions' access tokens at
 * once instead of at expiry. Entries live as long as an access token can: after that the token's own
 * `exp` rejects it and the entry has nothing left to do. Nothing calls `publish` on a request's path: the
 * revocation relay does, from the outbox (see revocation-relay.ts).
 */
export interface RevocationPublisher {
  /** Writes the entries; rejects (within the Redis timeout) when Redis does not take them. */
  publish(sessionIds: readonly string[]): Promise<void>;
  ping(): Promise<void>;
  /** `listener` runs each time the connection to Redis is (re)established: what waited can go now. */
  onReady?(listener: () => void): void;
  close(): Promise<void>;
}

/** Revocation entries outlive the access token by this much: clock skew between this service and the verifiers. */
export const REVOCATION_SKEW_SECONDS = 60;

export function createRedisRevocationPublisher(options: {
  redisUrl: string;
  ttlSeconds: number;
  /** The longest a connection attempt, a write or a ping may take. */
  timeoutMs: number;
  logger: Logger;
}): RevocationPublisher {
  const { logger } = options;
  // Every command settles within timeoutMs, whatever Redis does (without these bounds a logout once
  // waited 8.9 s for a refusing Redis and hung for over 20 s on a silent one). A write issued while
  // (re)connecting waits for the connection within that bound, so a fresh process (a start, the CLI)
  // can publish before its first connection is up.
  const redis = new Redis(options.redisUrl, boundedRedisOptions({ timeoutMs: options.timeoutMs }));

  // ioredis reports every failed reconnection (several a second while Redis is down): one line per
  // outage, one when it ends.
  let down = false;
  redis.on('error', (err: Error) => {
    if (down) return;
    down = true;
    logger.warn(
      { err: err.message },
      'redis unreachable (revocation list): ended sessions wait in the outbox until it is back',
    );
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    logger.info('redis reachable again (revocation list)');
  });

  return {
    async publish(sessionIds) {
      if (sessionIds.length === 0) return;
      const ttl = options.ttlSeconds + REVOCATION_SKEW_SECONDS;
      const transaction = redis.multi();
      for (const sid of sessionIds) transaction.set(revokedSessionKey(sid), '1', 'EX', ttl);
      const results = await transaction.exec();
      // null: the transaction was discarded. Otherwise one [error, reply] per command.
      const failed =
        results === null ? new Error('transaction discarded') : results.find(([err]) => err)?.[0];
      if (failed) throw failed;
    },
    async ping() {
      await redis.ping();
    },
    onReady(listener) {
      redis.on('ready', listener);
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
