import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { ServiceUnavailableError, UnauthorizedError } from '@mini/http';
import jwt from 'jsonwebtoken';

export type Algorithm = 'ES256' | 'RS256';

/** The claims of an access token signed by the auth service. */
export interface AccessTokenClaims {
  sub: string;
  role: 'user' | 'admin' | (string & {});
  username?: string;
  /** Session id: lets a service ask whether the session was revoked. */
  sid?: string;
  jti?: string;
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

interface JwksClient {
  /** The key with this kid (refetching once if unknown), or undefined. */
  get(kid: string): Promise<KeyObject | undefined>;
  /** Every known key, for tokens without a kid. */
  all(): Promise<KeyObject[]>;
}

function createJwksClient(url: string, options: TokenVerifierOptions): JwksClient {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const cacheMs = options.jwksCacheMs ?? 10 * 60_000;
  const timeoutMs = options.fetchTimeoutMs ?? 2000;
  const unknownKidIntervalMs = options.unknownKidRefetchIntervalMs ?? 10_000;
  let keys: Map<string, KeyObject> | undefined;
  let fetchedAt = 0;
  let inflight: Promise<void> | undefined;
  let lastUnknownKidRefetch = Number.NEGATIVE_INFINITY;

  async function load(): Promise<void> {
    const response = await fetchImpl(url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) throw new Error(`JWKS request to ${url} answered ${response.status}`);
    const body = (await response.json()) as { keys?: unknown };
    const next = new Map<string, KeyObject>();
    for (const jwk of Array.isArray(body.keys) ? (body.keys as Array<JsonWebKey & { kid?: unknown }>) : []) {
      if (typeof jwk.kid !== 'string' || (jwk.use !== undefined && jwk.use !== 'sig')) continue;
      if (jwk.kty !== 'EC' && jwk.kty !== 'RSA') continue;
      try {
        next.set(jwk.kid, createPublicKey({ key: jwk, format: 'jwk' }));
      } catch {
        // One malformed key must not take the others down with it.
      }
    }
    keys = next;
    fetchedAt = Date.now();
  }

  // Concurrent callers share one request.
  function refresh(): Promise<void> {
    inflight ??= load().finally(() => {
      inflight = undefined;
    });
    return inflight;
  }

  /** Makes sure keys are loaded and not older than the cache time; true when this call fetched them. */
  async function ensureFresh(): Promise<boolean> {
    if (keys && Date.now() - fetchedAt < cacheMs) return false;
    try {
      await refresh();
      return true;
    } catch (error) {
      // Stale keys keep working while the auth service is briefly unreachable.
      if (keys) return false;
      throw new ServiceUnavailableError('The signing keys of the auth service cannot be fetched.', {
        code: 'auth-keys-unavailable',
        cause: error,
      });
    }
  }

  return {
    async get(kid) {
      const justFetched = await ensureFresh();
      const known = keys?.get(kid);
      if (known || justFetched) return known;
      if (inflight) {
        await inflight.catch(() => {});
      } else if (Date.now() - lastUnknownKidRefetch >= unknownKidIntervalMs) {
        // A new kid usually means the auth service rotated its key; a storm of made-up kids must not
        // turn into a storm of requests to it.
        lastUnknownKidRefetch = Date.now();
        await refresh().catch(() => {});
      }
      return keys?.get(kid);
    },
    async all() {
      await ensureFresh();
      return [...(keys?.values() ?? [])];
    },
  };
}

function isKeyMismatch(error: unknown): boolean {
  return (
    error instanceof jwt.JsonWebTokenError &&
    !(error instanceof jwt.TokenExpiredError) &&
    (error.message === 'invalid signature' || error.message.includes('key type must be'))
  );
}

function mapVerifyError(error: unknown): UnauthorizedError {
  if (error instanceof jwt.TokenExpiredError) return invalidToken('The token has expired', error);
  if (error instanceof jwt.NotBeforeError) return invalidToken('The token is not valid yet', error);
  if (error instanceof jwt.JsonWebTokenError && /audience|issuer/.test(error.message)) {
    return invalidToken('The token was issued by or for another party', error);
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
  const jwks = options.jwksUrl ? createJwksClient(options.jwksUrl, options) : undefined;
  if (!jwks && staticKeys.length === 0) throw new Error('createTokenVerifier needs a jwksUrl or staticKeys');

  async function candidateKeys(kid: string | undefined): Promise<KeyObject[]> {
    const fromStatic = staticKeys
      .filter((entry) => entry.kid === undefined || kid === undefined || entry.kid === kid)
      .map((entry) => entry.key);
    if (!jwks) return fromStatic;
    if (kid === undefined) return [...fromStatic, ...(await jwks.all())];
    if (fromStatic.length > 0 && staticKeys.some((entry) => entry.kid === kid)) return fromStatic;
    const fetched = await jwks.get(kid);
    return fetched ? [...fromStatic, fetched] : fromStatic;
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
    const decoded = jwt.decode(token, { complete: true });
    if (!decoded || typeof decoded.payload === 'string') throw invalidToken('The token is malformed');
    const { alg, kid } = decoded.header;
    if (!(algorithms as string[]).includes(alg)) throw invalidToken('The token algorithm is not accepted');
    const keys = await candidateKeys(kid);
    if (keys.length === 0) throw invalidToken('The token signing key is unknown');

    let payload: jwt.JwtPayload | undefined;
    let lastError: unknown;
    for (const key of keys) {
      try {
        payload = jwt.verify(token, key, {
          algorithms,
          issuer: options.issuer,
          audience: options.audience,
          clockTolerance: 5,
        }) as jwt.JwtPayload;
        break;
      } catch (error) {
        lastError = error;
        // Only a key that does not fit is worth trying the next key for; expiry or audience won't change.
        if (!isKeyMismatch(error)) break;
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
