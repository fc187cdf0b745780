import type { RequestHandler } from 'express';

/**
 * RealWorld's "auth optional" routes: without an Authorization header the request goes on anonymous; with
 * one, the token must be good (a bad or expired token is 401, never silently anonymous).
 */
export function optionalAuth(authenticate: RequestHandler): RequestHandler {
  return (req, res, next) => (req.get('authorization') === undefined ? next() : authenticate(req, res, next));
}
