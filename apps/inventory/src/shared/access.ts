import type { Request } from 'express';
import { currentUser, requireRole } from '@mini/auth';

/** The authenticated caller, from the access token: the only identity this service trusts. */
export interface Actor {
  id: string;
}

export function actorOf(req: Request): Actor {
  return { id: currentUser(req).id };
}

// Changing the catalogue or the stock is for the token roles admin and manager (auth grants manager);
// every signed-in user may read.
export const writers = [requireRole('admin', 'manager')];

export const forbidden = { description: 'Your role may only read (writes need the role manager or admin).' };
