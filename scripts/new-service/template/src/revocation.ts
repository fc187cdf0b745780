import {
  createRedisRevocationCheck,
  revocationCheckOptionsFromConfig,
  type RedisRevocationCheck,
  type RevocationEnv,
} from '@mini/auth';
import type { Logger } from '@mini/logger';

/**
 * The auth service's list of ended sessions, when REDIS_URL is set: a logout (or a password change, or
 * an admin disabling the account) then stops that session's access tokens here within about
 * REVOCATION_CACHE_MS. Without Redis, the tokens' expiry is the only bound, which an operator should hear
 * about once.
 */
export function connectRevocationList(
  config: RevocationEnv,
  logger: Logger,
): RedisRevocationCheck | undefined {
  const options = revocationCheckOptionsFromConfig(config);
  if (options === undefined) {
    logger.warn('REDIS_URL is not set: logouts reach __name__ only when access tokens expire');
    return undefined;
  }
  return createRedisRevocationCheck({
    ...options,
    // The check fails open, so an unreachable Redis shows only here (and as "degraded" in /readyz).
    onError: (err) => logger.warn({ err }, 'revocation list unreachable: accepting tokens until it answers'),
    onRecover: () => logger.info('revocation list reachable again: ended sessions are refused again'),
  });
}
