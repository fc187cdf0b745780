import type { Request } from 'express';
import { currentUser as authUser } from '@mini/auth';
import { UnauthorizedError } from '@mini/http';

export interface SignedInUser {
  id: string;
  role: string;
  sessionId: string;
  /** When the user signed in with their password (the token's `auth_time`). */
  authTime?: Date;
}

/** The caller on a route behind requireAuth. Tokens this service mints always carry a session id. */
export function currentUser(req: Request): SignedInUser {
  const user = authUser(req);
  if (!user.sessionId)
    throw new UnauthorizedError('The access token has no session.', {
      invalidTokenDescription: 'No session id',
    });
  return {
    id: user.id,
    role: user.role,
    sessionId: user.sessionId,
    ...(user.authTime === undefined ? {} : { authTime: user.authTime }),
  };
}
