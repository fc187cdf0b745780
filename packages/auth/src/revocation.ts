import { Redis } from 'ioredis';
import { z } from 'zod';
import { secretUrl, wholeNumber } from '@mini/config';
import type { Logger } from '@mini/logger';
import { boundedRedisOptions } from './redis-options.ts';
import type { AccessTokenClaims } from './verifier.ts';

/**
 * The auth service writes `auth:revoked-sid:<session id>` when a session ends (logout, logout-all, a
 * password change or reset, an admin disabling the account, a replayed refresh token), with a TTL of one
 * access-token lifetime: after that, the token's own `exp` rejects it.
 */
export const REVOKED_SESSION_KEY_PREFIX = 'auth:revoked-sid:';

export function revokedSessionKey(sessionId: string): string {
  return `${REVOKED_SESSION_KEY_PREFIX}${sessionId}`;
}

export interface RedisRevocationCheckOptions {
  redisUrl: string;
  /**
   * How long a "not revoked" answer is reused before Redis is asked again: the most a logout can lag
   * behind in this service. Default 500 ms. A "revoked" answer is kept until the token expires.
   */
  cacheMs?: number;
  /** Bounds the memory of the cache; the oldest answers go first. Default 10 000. */
  maxEntries?: number;
  /** The longest a look-up waits for Redis (connecting, answering); then the token is accepted. Default 500 ms. */
  timeoutMs?: number;
  /**
   * After a failed look-up, how long tokens are accepted without asking Redis at all (the circuit
   * breaker is open); then one request asks again (half-open) and its answer closes or reopens it.
   * Default 500 ms.
   */
  breakerMs?: number;
  /** Told when Redis cannot be reached (the first failure, then at most once a minute while it lasts). */
  onError?: (err: Error) => void;
  /** Told when Redis answers again after a failure (the breaker closes). */
  onRecover?: () => void;
}

export interface RedisRevocationCheck {
  /** For `requireAuth(verifier, { isRevoked })`. */
  isRevoked(claims: AccessTokenClaims): Promise<boolean>;
  /** Resolves when Redis answers (within `timeoutMs`): a readiness check. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

interface CachedAnswer {
  revoked: boolean;
  until: number;
}

/**
 * Lets any service reject the access tokens of ended sessions at once, at the cost of one Redis EXISTS per
 * session every `cacheMs`. It fails open: while Redis is unreachable, tokens are accepted (and their short
 * lifetime is the bound again), because turning a cache outage into a platform-wide 401 storm would be
 * worse. Tokens without a `sid` cannot be revoked this way and are accepted.
 *
 * A circuit breaker keeps an outage cheap: without it every request would wait out the timeout (measured
 * on tasks: 700 -> 64 requests/s, p99 518 ms). After one failure, look-ups answer "not revoked" at once
 * for `breakerMs`; then a single request asks Redis again while the others still answer at once.
 */
export function createRedisRevocationCheck(options: RedisRevocationCheckOptions): RedisRevocationCheck {
  const cacheMs = options.cacheMs ?? 500;
  const maxEntries = options.maxEntries ?? 10_000;
  const breakerMs = options.breakerMs ?? 500;
  const redis = new Redis(
    options.redisUrl,
    // Commands sent while (re)connecting wait in ioredis' queue, up to the timeout: the first look-ups
    // after start-up are answered once the connection is up, not refused.
    boundedRedisOptions(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  );
  const cache = new Map<string, CachedAnswer>();
  let lastErrorReport = 0;
  let lastRecovery = 0;
  // 0: closed (ask Redis). Otherwise open until then; after it, the next look-up is the probe.
  let openUntil = 0;
  let probing = false;

  // Each outage is reported, then at most once a minute while it lasts.
  function reportError(err: Error): void {
    if (lastErrorReport > lastRecovery && Date.now() - lastErrorReport < 60_000) return;
    lastErrorReport = Date.now();
    options.onError?.(err);
  }
  redis.on('error', reportError);

  function remember(sid: string, answer: CachedAnswer): void {
    cache.delete(sid);
    cache.set(sid, answer);
    if (cache.size > maxEntries) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
  }

  return {
    async isRevoked(claims) {
      const sid = claims.sid;
      if (sid === undefined) return false;
      const now = Date.now();
      const cached = cache.get(sid);
      if (cached && cached.until > now) return cached.revoked;

      const probe = openUntil !== 0;
      if (probe) {
        // Open, or another request is already probing: fail open without waiting for Redis.
        if (now < openUntil || probing) return false;
        probing = true;
      }
      let revoked: boolean;
      try {
        revoked = (await redis.exists(revokedSessionKey(sid))) === 1;
      } catch (err) {
        openUntil = Date.now() + breakerMs;
        reportError(err as Error);
        return false;
      } finally {
        if (probe) probing = false;
      }
      if (openUntil !== 0) {
        openUntil = 0;
        lastRecovery = Date.now();
        options.onRecover?.();
      }
      // A revocation never ends, so it is remembered for as long as the token can live.
      remember(sid, { revoked, until: revoked ? claims.exp * 1000 : now + cacheMs });
      return revoked;
    },
    async ping() {
      await redis.ping();
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

const milliseconds = (defaultValue: number, min: number) =>
  wholeNumber(defaultValue, { min, max: 60_000, unit: 'milliseconds' });

/**
 * The revocation list's variables for a verifying service: `baseConfigSchema.extend(revocationEnvSchema.shape)`,
 * then `revocationCheckOptionsFromConfig(config)`.
 */
export const revocationEnvSchema = z.object({
  REDIS_URL: secretUrl(
    z
      .string()
      .refine((value) => /^rediss?:\/\//.test(value) && URL.canParse(value), {
        error: 'expected a redis:// or rediss:// URL',
      })
      .optional(),
  ),
  REDIS_TIMEOUT_MS: milliseconds(500, 1),
  REVOCATION_CACHE_MS: milliseconds(500, 0),
  REVOCATION_BREAKER_MS: milliseconds(500, 1),
});

export type RevocationEnv = z.output<typeof revocationEnvSchema>;

/** createRedisRevocationCheck's options from the validated config; undefined without REDIS_URL. */
export function revocationCheckOptionsFromConfig(
  config: RevocationEnv,
): Pick<RedisRevocationCheckOptions, 'redisUrl' | 'timeoutMs' | 'cacheMs' | 'breakerMs'> | undefined {
  if (config.REDIS_URL === undefined) return undefined;
  return {
    redisUrl: config.REDIS_URL,
    timeoutMs: config.REDIS_TIMEOUT_MS,
    cacheMs: config.REVOCATION_CACHE_MS,
    breakerMs: config.REVOCATION_BREAKER_MS,
  };
}

/**
 * The auth service's list of ended sessions, when REDIS_URL is set: a logout (or a password change, or an
 * admin disabling the account) then stops that session's access tokens in `service` within about
 * REVOCATION_CACHE_MS. Without Redis, the tokens' expiry is the only bound, which an operator should hear
 * about once.
 */
export function connectRevocationList(
  config: RevocationEnv,
  logger: Logger,
  service: string,
): RedisRevocationCheck | undefined {
  const options = revocationCheckOptionsFromConfig(config);
  if (options === undefined) {
    logger.warn(`REDIS_URL is not set: logouts reach ${service} only when access tokens expire`);
    return undefined;
  }
  return createRedisRevocationCheck({
    ...options,
    // The check fails open, so an unreachable Redis shows only here (and as "degraded" in /readyz).
    onError: (err) => logger.warn({ err }, 'revocation list unreachable: accepting tokens until it answers'),
    onRecover: () => logger.info('revocation list reachable again: ended sessions are refused again'),
  });
}
