import { createRedisRevocationCheck, type RedisRevocationCheck } from '@mini/auth';
import type { Logger } from '@mini/logger';
import type { Config } from './config.ts';

/**
 * The auth service's list of ended sessions, when REDIS_URL is set: a logout (or a password change, or
 * an admin disabling the account) then stops that session's access tokens here within a couple of
 * seconds. Without Redis, the tokens' expiry is the only bound, which an operator should hear about once.
 */
export function connectRevocationList(
  config: Pick<Config, 'REDIS_URL'>,
  logger: Logger,
): RedisRevocationCheck | undefined {
  if (config.REDIS_URL === undefined) {
    logger.warn('REDIS_URL is not set: logouts reach tasks only when access tokens expire');
    return undefined;
  }
  return createRedisRevocationCheck({
    redisUrl: config.REDIS_URL,
    // The check fails open, so an unreachable Redis shows only here.
    onError: (err) => logger.warn({ err }, 'revocation list unreachable: accepting tokens until it answers'),
  });
}
