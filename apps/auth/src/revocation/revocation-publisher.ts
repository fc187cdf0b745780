import { Redis } from 'ioredis';
import { revokedSessionKey } from '@mini/auth';
import type { Logger } from '@mini/logger';

/**
 * Tells the other services that sessions have ended, so they reject those sessions' access tokens at
 * once instead of at expiry. Entries live as long as an access token can: after that the token's own
 * `exp` rejects it and the entry has nothing left to do.
 */
export interface RevocationPublisher {
  publish(sessionIds: readonly string[]): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function createRedisRevocationPublisher(options: {
  redisUrl: string;
  ttlSeconds: number;
  logger: Logger;
}): RevocationPublisher {
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 2, lazyConnect: false });
  redis.on('error', (err) =>
    options.logger.warn({ err: err.message }, 'redis connection error (revocation list)'),
  );

  return {
    async publish(sessionIds) {
      if (sessionIds.length === 0) return;
      // A margin over the token lifetime covers clock skew between this service and the verifiers.
      const ttl = options.ttlSeconds + 60;
      const pipeline = redis.multi();
      for (const sid of sessionIds) pipeline.set(revokedSessionKey(sid), '1', 'EX', ttl);
      await pipeline.exec();
    },
    async ping() {
      await redis.ping();
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** Without Redis the other services cannot hear about revocations: the access token's short life is the bound. */
export const noRevocationPublisher: RevocationPublisher = {
  publish: async () => {},
  ping: async () => {},
  close: async () => {},
};
