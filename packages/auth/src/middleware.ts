import { ForbiddenError, UnauthorizedError } from '@mini/http';
import { setContextUserId } from '@mini/logger';
import type { Request, RequestHandler } from 'express';
import type { AccessTokenClaims, TokenVerifier } from './verifier.ts';

/** The authenticated caller, set on `req.user` by requireAuth. */
export interface AuthUser {
  id: string;
  role: AccessTokenClaims['role'];
  username?: string;
  sessionId?: string;
  /** When the user signed in with their password (the token's `auth_time`), if the token says. */
  authTime?: Date;
  claims: AccessTokenClaims;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express' types are extended through this namespace.
  namespace Express {
    interface Request {
      /** Set by requireAuth(); undefined on routes without it. */
      user?: AuthUser;
    }
  }
}

export interface RequireAuthOptions {
  /** Return true to reject a valid token whose session was revoked (the auth service plugs this in). */
  isRevoked?: (claims: AccessTokenClaims) => Promise<boolean>;
}

// RealWorld clients send `Token <jwt>`; everyone else `Bearer <jwt>`. Schemes are case-insensitive.
const AUTHORIZATION = /^(?:Bearer|Token)[ \t]+([^\s]+)[ \t]*$/i;

/** 401 unless the request carries a valid access token; then sets `req.user` and the log context's userId. */
export function requireAuth(verifier: TokenVerifier, options: RequireAuthOptions = {}): RequestHandler {
  return async (req, _res, next) => {
    const header = req.get('authorization');
    const token = header === undefined ? undefined : AUTHORIZATION.exec(header)?.[1];
    if (token === undefined) throw new UnauthorizedError('An access token is required.');
    const claims = await verifier.verify(token);
    if (options.isRevoked && (await options.isRevoked(claims))) {
      throw new UnauthorizedError('The session has been revoked.', {
        invalidTokenDescription: 'The session has been revoked',
      });
    }
    req.user = {
      id: claims.sub,
      role: claims.role,
      ...(claims.username === undefined ? {} : { username: claims.username }),
      ...(claims.sid === undefined ? {} : { sessionId: claims.sid }),
      ...(typeof claims.auth_time === 'number' ? { authTime: new Date(claims.auth_time * 1000) } : {}),
      claims,
    };
    setContextUserId(claims.sub);
    next();
  };
}

/** 403 unless `req.user.role` is one of `roles` (401 if requireAuth did not run first). */
export function requireRole(...roles: string[]): RequestHandler {
  return (req, _res, next) => {
    if (!req.user) throw new UnauthorizedError('An access token is required.');
    if (!roles.includes(req.user.role)) {
      throw new ForbiddenError(`This action requires the role ${roles.join(' or ')}.`);
    }
    next();
  };
}

/**
 * True when the caller signed in with their password less than `seconds` ago (the token's `auth_time`):
 * "sudo mode", in which a sensitive change needs no current password. A token without `auth_time` never is.
 */
export function signedInWithin(
  user: Pick<AuthUser, 'authTime'>,
  seconds: number,
  now: number = Date.now(),
): boolean {
  if (user.authTime === undefined) return false;
  const age = now - user.authTime.getTime();
  // A sign-in "in the future" (clock skew between instances) counts as just now, within a small tolerance.
  return age < seconds * 1000 && age > -5_000;
}

/** `req.user` on a route behind requireAuth; throws 401 if it is missing (a wiring mistake). */
export function currentUser(req: Request): AuthUser {
  if (!req.user) throw new UnauthorizedError('An access token is required.');
  return req.user;
}
