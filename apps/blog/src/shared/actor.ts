import type { Request } from 'express';
import { currentUser } from '@mini/auth';

/** The authenticated caller, from the access token: the only identity this service trusts. */
export interface Actor {
  id: string;
  /** From the token; only used to create the caller's profile when they have none yet. */
  username: string;
  /** The access token itself: RealWorld's user answers carry it, and auth's account API is called with it. */
  token: string;
}

// The kit's requireAuth has already accepted the header (`Bearer <jwt>` or RealWorld's `Token <jwt>`).
const AUTHORIZATION = /^(?:Bearer|Token)[ \t]+(\S+)/i;

export function actorOf(req: Request): Actor {
  const token = AUTHORIZATION.exec(req.get('authorization') ?? '')?.[1] ?? '';
  const user = currentUser(req);
  return { id: user.id, username: user.username ?? user.id, token };
}

/** The caller on a route where signing in is optional (RealWorld's "auth optional"): null when anonymous. */
export function viewerOf(req: Request): Actor | null {
  return req.user ? actorOf(req) : null;
}
