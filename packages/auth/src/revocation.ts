import { Redis } from 'ioredis';
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
   * behind in this service. Default 2000 ms. A "revoked" answer is kept until the token expires.
   */
  cacheMs?: number;
  /** Bounds the memory of the cache; the oldest answers go first. Default 10 000. */
  maxEntries?: number;
  /** Told (at most once a minute) when Redis cannot be reached. */
  onError?: (err: Error) => void;
}

export interface RedisRevocationCheck {
  /** For `requireAuth(verifier, { isRevoked })`. */
  isRevoked(claims: AccessTokenClaims): Promise<boolean>;
  close(): Promise<void>;
}

interface CachedAnswer {
  revoked: boolean;
  until: number;
}

/**
 * Lets any service reject the access tokens of ended sessions at once, at the cost of one Redis GET per
 * session every `cacheMs`. It fails open: while Redis is unreachable, tokens are accepted (and their short
 * lifetime is the bound again), because turning a cache outage into a platform-wide 401 storm would be
 * worse. Tokens without a `sid` cannot be revoked this way and are accepted.
 */
export function createRedisRevocationCheck(options: RedisRevocationCheckOptions): RedisRevocationCheck {
  const cacheMs = options.cacheMs ?? 2000;
  const maxEntries = options.maxEntries ?? 10_000;
  const redis = new Redis(options.redisUrl, {
    // Answer within half a second when Redis is slow or down, instead of holding requests while
    // ioredis reconnects; commands sent while (re)connecting wait in its queue up to that bound.
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: 500,
  });
  const cache = new Map<string, CachedAnswer>();
  let lastErrorReport = 0;

  function reportError(err: Error): void {
    if (Date.now() - lastErrorReport < 60_000) return;
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

      let revoked: boolean;
      try {
        revoked = (await redis.exists(revokedSessionKey(sid))) === 1;
      } catch (err) {
        reportError(err as Error);
        return false;
      }
      // A revocation never ends, so it is remembered for as long as the token can live.
      remember(sid, { revoked, until: revoked ? claims.exp * 1000 : now + cacheMs });
      return revoked;
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
