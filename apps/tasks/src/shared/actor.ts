import type { Request } from 'express';
import { currentUser } from '@mini/auth';

/** The authenticated caller, from the access token: the only identity this service trusts. */
export interface Actor {
  id: string;
  /** From the token; only used to fill the username projection when the caller creates a project. */
  username: string;
}

export function actorOf(req: Request): Actor {
  const user = currentUser(req);
  return { id: user.id, username: user.username ?? user.id };
}
