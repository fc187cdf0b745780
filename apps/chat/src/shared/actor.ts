import type { Request } from 'express';
import { currentUser } from '@mini/auth';

/** The authenticated caller, from the access token: the only identity this service trusts. */
export interface Actor {
  id: string;
}

export function actorOf(req: Request): Actor {
  return { id: currentUser(req).id };
}
