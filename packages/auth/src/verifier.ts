import { createPublicKey, type KeyObject } from 'node:crypto';
import {
  createRemoteJWKSet,
  customFetch,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { AppError, ServiceUnavailableError, UnauthorizedError } from '@mini/http';

export type Algorithm = 'ES256' | 'RS256';

/** The claims of an access token signed by the auth service. */
export interface AccessTokenClaims {
  sub: string;
  role: 'user' | 'manager' | 'admin' | (string & {});
  username?: string;
  /** Session id: lets a service ask whether the session was revoked. */
  sid?: string;
  jti?: string;
  /** When the user last signed in with their password (seconds since the epoch): see `signedInWithin`. */
  auth_time?: number;
  iss: string;
  aud: string | string[];
  exp: number;
  iat: number;
}

export interface TokenVerifierOptions {
  issuer: string;
  audience: string;
  /** The auth service's `/.well-known/jwks.json`. */
  jwksUrl?: string;
  /** Public keys given directly (PEM). A key without `kid` is tried for any token. */
  staticKeys?: Array<{ kid?: string; publicKey: string }>;
  /** Default both. Never 'none' or HS*: a verifier that holds only public keys must not accept either. */
  algorithms?: Algorithm[];
  /** How long fetched keys are trusted before the next fetch. Default 10 minutes. */
  jwksCacheMs?: number;
  /** Default 2000. */
  fetchTimeoutMs?: number;
  /** Minimum time between refetches caused by unknown `kid`s. Default 10 s. */
  unknownKidRefetchIntervalMs?: number;
  /**
   * How many verified tokens to remember until they expire. A client sends the same access token with
   * every request for its whole lifetime, so the signature check (the costliest step of a request that
   * reads a page of rows) is then paid once per token, not once per request. Like the cached keys, a
   * remembered token outlives the removal of its key from the JWKS until it expires. Default 10 000; 0 off.
   */
  verifiedCacheSize?: number;
  /** Injected for tests; default globalThis.fetch. */
  fetch?: typeof globalThis.fetch;
}

export interface TokenVerifier {
  /** Resolves with the claims, or rejects with UnauthorizedError (401) / ServiceUnavailableError (503). */
  verify(token: string): Promise<AccessTokenClaims>;
}

function invalidToken(description: string, cause?: unknown): UnauthorizedError {
  return new UnauthorizedError('The access token is invalid.', {
    invalidTokenDescription: description,
    cause,
  });
}

/**
 * The auth service's JWKS through jose's remote key set, which fetches (one request shared by concurrent
 * callers, with a timeout), parses, selects the key by `kid` and `alg`, and imports it. Its own refetch rules
 * are switched off (cache age and cooldown both Infinity) and driven here instead, because two promises of
 * this verifier differ from them:
 * - stale keys keep working while the auth service is unreachable: jose's set refetches once its cache
 *   has expired and fails the verification when that fetch fails;
 * - a new `kid` (a rotated key) is fetched at once, then at most once per interval: jose's cooldown counts
 *   from the last fetch of any kind, so a token from a key rotated just after a fetch would be refused for
 *   the whole cooldown.
 */
function createJwksKeyResolver(url: string, options: TokenVerifierOptions): JWTVerifyGetKey {
  const cacheMs = options.jwksCacheMs ?? 10 * 60_000;
  const unknownKidIntervalMs = options.unknownKidRefetchIntervalMs ?? 10_000;
  const remote = createRemoteJWKSet(new URL(url), {
    timeoutDuration: options.fetchTimeoutMs ?? 2000,
    cacheMaxAge: Infinity,
    cooldownDuration: Infinity,
    ...(options.fetch ? { [customFetch]: options.fetch } : {}),
  });
  // With cacheMaxAge Infinity, jose's `fresh` means "a key set has been fetched at some point".
  const hasKeys = () => remote.fresh;
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let lastUnknownKidRefetch = Number.NEGATIVE_INFINITY;

  async function reload(): Promise<void> {
    await remote.reload();
    fetchedAt = Date.now();
  }

  /** Makes sure keys are loaded and not older than the cache time; true when this call fetched them. */
  async function ensureFresh(): Promise<boolean> {
    if (hasKeys() && Date.now() - fetchedAt < cacheMs) return false;
    try {
      await reload();
      return true;
    } catch (error) {
      // Stale keys keep working while the auth service is briefly unreachable.
      if (hasKeys()) return false;
      throw new ServiceUnavailableError('The signing keys of the auth service cannot be fetched.', {
        code: 'auth-keys-unavailable',
        cause: error,
      });
    }
  }

  return async (header, token) => {
    const justFetched = await ensureFresh();
    try {
      return await remote(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey) || justFetched) throw error;
      // A new kid usually means the auth service rotated its key; a storm of made-up kids must not turn into
      // a storm of requests to it. Callers arriving while a refetch runs wait for that one.
      if (!remote.reloading) {
        if (Date.now() - lastUnknownKidRefetch < unknownKidIntervalMs) throw error;
        lastUnknownKidRefetch = Date.now();
      }
      await reload().catch(() => {});
      return remote(header, token);
    }
  };
}

const KEY_TYPE: Record<Algorithm, string> = { ES256: 'ec', RS256: 'rsa' };

function mapVerifyError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof errors.JWTExpired) return invalidToken('The token has expired', error);
  if (error instanceof errors.JWKSNoMatchingKey)
    return invalidToken('The token signing key is unknown', error);
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return invalidToken('The token is not valid yet', error);
    if (error.claim === 'iss' || error.claim === 'aud') {
      return invalidToken('The token was issued by or for another party', error);
    }
  }
  return invalidToken('The token signature or format is invalid', error);
}

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const algorithms = options.algorithms ?? ['ES256', 'RS256'];
  for (const algorithm of algorithms) {
    if (algorithm !== 'ES256' && algorithm !== 'RS256')
      throw new Error(`unsupported algorithm ${String(algorithm)}`);
  }
  const staticKeys = (options.staticKeys ?? []).map((entry) => ({
    kid: entry.kid,
    key: createPublicKey(entry.publicKey),
  }));
  const jwks = options.jwksUrl ? createJwksKeyResolver(options.jwksUrl, options) : undefined;
  if (!jwks && staticKeys.length === 0) throw new Error('createTokenVerifier needs a jwksUrl or staticKeys');

  /** The keys worth trying for this header: fitting static keys first, then the JWKS. */
  function candidateKeys(alg: Algorithm, kid: string | undefined): Array<KeyObject | JWTVerifyGetKey> {
    const fromStatic = staticKeys
      .filter((entry) => entry.kid === undefined || kid === undefined || entry.kid === kid)
      .filter((entry) => entry.key.asymmetricKeyType === KEY_TYPE[alg])
      .map((entry) => entry.key);
    if (!jwks || (kid !== undefined && staticKeys.some((entry) => entry.kid === kid))) return fromStatic;
    return [...fromStatic, jwks];
  }

  const cacheSize = options.verifiedCacheSize ?? 10_000;
  const verified = new Map<string, AccessTokenClaims>();

  function remember(token: string, claims: AccessTokenClaims): void {
    if (cacheSize <= 0) return;
    verified.set(token, claims);
    // Map iteration follows insertion order: the first key is the oldest entry.
    if (verified.size > cacheSize) verified.delete(verified.keys().next().value as string);
  }

  return {
    async verify(token) {
      const known = verified.get(token);
      if (known) {
        if (known.exp * 1000 > Date.now()) return known;
        verified.delete(token);
      }
      // Frozen: the same object now serves every request that carries this token.
      const claims = Object.freeze(await verifyUncached(token));
      remember(token, claims);
      return claims;
    },
  };

  async function verifyUncached(token: string): Promise<AccessTokenClaims> {
    let alg: unknown;
    let kid: string | undefined;
    try {
      ({ alg, kid } = decodeProtectedHeader(token));
    } catch (error) {
      throw invalidToken('The token is malformed', error);
    }
    // jwtVerify refuses these too (algorithms below); checked first so that no key is fetched for them.
    if (!(algorithms as unknown[]).includes(alg)) throw invalidToken('The token algorithm is not accepted');
    const keys = candidateKeys(alg as Algorithm, kid);
    if (keys.length === 0) throw invalidToken('The token signing key is unknown');

    let payload: JWTPayload | undefined;
    let lastError: unknown;
    for (const key of keys) {
      try {
        ({ payload } = await jwtVerify(token, key, {
          algorithms,
          issuer: options.issuer,
          audience: options.audience,
          clockTolerance: 5,
          // The clock the verified-token cache checks `exp` against (jose's default is `new Date()`).
          currentDate: new Date(Date.now()),
        }));
        break;
      } catch (error) {
        lastError = error;
        // Only a key that does not fit is worth trying the next key for; expiry or audience won't change.
        if (!(error instanceof errors.JWSSignatureVerificationFailed)) break;
      }
    }
    if (!payload) throw mapVerifyError(lastError);
    if (typeof payload.sub !== 'string' || payload.sub === '') throw invalidToken('The token has no subject');
    if (typeof payload.exp !== 'number') throw invalidToken('The token has no expiry');
    return {
      ...payload,
      role: typeof payload.role === 'string' ? payload.role : 'user',
    } as AccessTokenClaims;
  }
}
