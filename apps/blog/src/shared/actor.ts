import type { Request } from 'express';
import { currentUser } from '@mini/auth';

/** The authenticated caller, from the access token: the only identity this service trusts. */
export interface Actor {
  id: string;
  /** The access token itself: RealWorld's user answers carry it, and auth's account API is called with it. */
  token: string;
}

// The kit's requireAuth has already accepted the header (`Bearer <jwt>` or RealWorld's `Token <jwt>`).
const AUTHORIZATION = /^(?:Bearer|Token)[ \t]+(\S+)/i;

export function actorOf(req: Request): Actor {
  const token = AUTHORIZATION.exec(req.get('authorization') ?? '')?.[1] ?? '';
  return { id: currentUser(req).id, token };
}
