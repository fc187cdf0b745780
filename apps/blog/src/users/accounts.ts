import { z } from 'zod';
import type { Forwarded, ServiceClient } from '@mini/http';

/**
 * The auth service's account API, which RealWorld's user routes stand on: the blog never stores an email
 * or a password. Calls go through @mini/http's service client (timeout, request id, the client's address
 * for auth's per-IP limits); auth's refusals (409 email-taken, 401 invalid-credentials, 422 ...) come back
 * as this service's own errors, and /api's mapper puts them in RealWorld's envelope.
 */
export interface Accounts {
  register(input: { email: string; username: string; password: string }, from: Forwarded): Promise<Account>;
  /** Auth's access token for these credentials. */
  login(input: { email: string; password: string }, from: Forwarded): Promise<string>;
  /** The account of the token `from` carries (`as`: that token). */
  me(as: string, from: Forwarded): Promise<Account>;
  update(as: string, changes: { email?: string; username?: string }, from: Forwarded): Promise<Account>;
  /** Within auth's sudo window after sign-in the new password alone is enough; otherwise 422. */
  changePassword(as: string, newPassword: string, from: Forwarded): Promise<void>;
}

const accountSchema = z.object({ id: z.uuid(), email: z.string(), username: z.string() });
const tokenPairSchema = z.object({ accessToken: z.string().min(1) });

export type Account = z.infer<typeof accountSchema>;

// Auth's own scheme, whatever the client used (RealWorld clients send `Token <jwt>`).
const bearer = (token: string, from: Forwarded): Forwarded => ({ ...from, authorization: `Bearer ${token}` });
// Sign-up and sign-in carry no token of the client's.
const anonymous = (from: Forwarded): Forwarded => ({ ...from, authorization: undefined });

export function createAccounts(auth: ServiceClient): Accounts {
  return {
    register: (input, from) =>
      auth.request({
        method: 'POST',
        path: '/auth/register',
        body: input,
        schema: accountSchema,
        forwarded: anonymous(from),
      }),
    async login(input, from) {
      const pair = await auth.request({
        method: 'POST',
        path: '/auth/login',
        body: input,
        schema: tokenPairSchema,
        forwarded: anonymous(from),
      });
      return pair.accessToken;
    },
    me: (as, from) => auth.request({ path: '/users/me', schema: accountSchema, forwarded: bearer(as, from) }),
    update: (as, changes, from) =>
      auth.request({
        method: 'PATCH',
        path: '/users/me',
        body: changes,
        schema: accountSchema,
        forwarded: bearer(as, from),
      }),
    async changePassword(as, newPassword, from) {
      await auth.request({
        method: 'POST',
        path: '/users/me/password',
        body: { newPassword },
        schema: z.undefined(),
        forwarded: bearer(as, from),
      });
    },
  };
}
