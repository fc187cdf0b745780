import { Router, type Request, type Response } from 'express';
import { trackWork } from '@mini/http';
import type { ApiRegistry } from '@mini/validation';
import { busy } from '../passwords/hashing-gate.ts';
import { weakPassword } from '../passwords/password-policy.ts';
import { invalidRefreshToken } from '../sessions/sessions.service.ts';
import { tooManyLoginAttempts } from '../throttle/login-throttle.ts';
import { tooManyMailRequests } from '../throttle/mail-rate-limit.ts';
import { emailTaken } from '../users/account-creation.ts';
import { usernameTaken } from '../users/users.service.ts';
import type { ClientInfo, SessionsService } from '../sessions/sessions.service.ts';
import { currentUser } from '../security/current-user.ts';
import { meSchema, toMe } from '../users/users.schemas.ts';
import { emailNotVerified, invalidCredentials, invalidLink, type AuthService } from './auth.service.ts';
import {
  acceptedSchema,
  forgotPasswordBody,
  loginBody,
  refreshTokenBody,
  registerBody,
  resetPasswordBody,
  tokenPairSchema,
  verifyEmailBody,
} from './auth.schemas.ts';

const TAGS = ['Auth'];
const mailLimited = {
  description: 'Too many mail requests for this email or from this IP; retry after `Retry-After`.',
  problems: [tooManyMailRequests()],
};

function clientInfo(req: Request): ClientInfo {
  // req.ip honours TRUST_PROXY: behind a proxy it is the client's address, not the proxy's.
  return { userAgent: req.get('user-agent') ?? null, ip: req.ip ?? null };
}

// RFC 6749 5.1: answers carrying tokens must never be stored by a browser or a proxy cache.
function noStore(res: Response): void {
  res.set('Cache-Control', 'no-store');
  res.set('Pragma', 'no-cache');
}

export function authRoutes(api: ApiRegistry, auth: AuthService, sessions: SessionsService): Router {
  const router = Router();

  api.route(router, {
    method: 'post',
    path: '/auth/register',
    summary: 'Create an account',
    description:
      'Emails are compared case-insensitively and usernames are unique regardless of case. Passwords: 8 to 64 ' +
      'characters, no composition rules, common passwords refused. A verification email is sent.',
    tags: TAGS,
    body: registerBody,
    responses: {
      201: { description: 'The new account.', schema: meSchema },
      409: { description: 'The email or the username is taken.', problems: [emailTaken(), usernameTaken()] },
      422: {
        description: 'Validation failed (`errors` per field), or the password is refused (`weak-password`).',
        problems: [weakPassword('password')],
      },
      429: mailLimited,
    },
    handler: async ({ body, req }) => {
      const { user, mailSent } = await auth.register(body, clientInfo(req));
      // Sent after the answer; graceful shutdown waits for it all the same (it also needs the pool).
      void trackWork(req, mailSent);
      return toMe(user);
    },
  });

  api.route(router, {
    method: 'post',
    path: '/auth/login',
    summary: 'Sign in: returns an access token and a refresh token',
    description:
      'Starts a session. The access token (JWT, short-lived) goes in `Authorization: Bearer`; the refresh token ' +
      'gets the next pair from POST /auth/refresh. Unknown email, wrong password and disabled account get the ' +
      'same 401. Repeated failures per account and per IP lock sign-in for a growing time (429, `Retry-After`).',
    tags: TAGS,
    body: loginBody,
    responses: {
      200: { description: 'Signed in.', schema: tokenPairSchema },
      401: { description: 'The email or password is incorrect.', problems: [invalidCredentials()] },
      403: {
        description: 'REQUIRE_EMAIL_VERIFICATION is on and the email is not verified yet.',
        problems: [emailNotVerified()],
      },
      429: {
        description: 'Too many failed attempts; retry after `Retry-After` seconds.',
        problems: [tooManyLoginAttempts()],
      },
      503: {
        description: 'Too many passwords being checked right now; retry after `Retry-After`.',
        problems: [busy()],
      },
    },
    handler: ({ body, req, res }) => {
      noStore(res);
      return auth.login(body, clientInfo(req));
    },
  });

  api.route(router, {
    method: 'post',
    path: '/auth/refresh',
    summary: 'Exchange a refresh token for a new token pair (rotation)',
    description:
      'The presented refresh token is spent and a new one returned. Presenting a spent token again ends the ' +
      'whole session (someone else holds a copy), and both holders must sign in again.',
    tags: TAGS,
    body: refreshTokenBody,
    responses: {
      200: { description: 'A new token pair.', schema: tokenPairSchema },
      401: {
        description: 'Unknown, spent, expired or revoked refresh token.',
        problems: [invalidRefreshToken()],
      },
    },
    handler: ({ body, res }) => {
      noStore(res);
      return sessions.refresh(body.refreshToken);
    },
  });

  api.route(router, {
    method: 'post',
    path: '/auth/logout',
    summary: 'End the session this refresh token belongs to',
    description:
      'Its access tokens stop working at once, here and (with Redis) in every other service. Idempotent.',
    tags: TAGS,
    body: refreshTokenBody,
    responses: { 204: { description: 'The session is ended (or was already).' } },
    handler: async ({ body }) => {
      await sessions.logout(body.refreshToken);
    },
  });

  api.route(router, {
    method: 'post',
    path: '/auth/logout-all',
    summary: 'End every session of the signed-in user, this one included',
    tags: TAGS,
    auth: true,
    responses: { 204: { description: 'Every session is ended.' } },
    handler: async ({ req }) => {
      await sessions.endAllOfUser(currentUser(req).id, 'logout-all');
    },
  });

  api.route(router, {
    method: 'post',
    path: '/auth/verify-email',
    summary: 'Confirm an email address with the token from the verification email',
    tags: TAGS,
    body: verifyEmailBody,
    responses: {
      204: { description: 'The email is verified.' },
      422: { description: 'The token is invalid, used or expired.', problems: [invalidLink()] },
    },
    handler: async ({ body }) => {
      await auth.verifyEmail(body.token);
    },
  });

  api.route(router, {
    method: 'post',
    path: '/auth/verify-email/resend',
    summary: 'Send a new verification email to the signed-in user',
    description: 'Does nothing when the email is already verified. Earlier links stop working.',
    tags: TAGS,
    auth: true,
    responses: {
      202: {
        description: 'A new link is on its way (if the email still needs verifying).',
        schema: acceptedSchema,
      },
      429: mailLimited,
    },
    handler: async ({ req }) => {
      await auth.resendVerification(currentUser(req).id, clientInfo(req));
      return { message: 'If your email still needs verifying, a new link is on its way.' };
    },
  });

  api.route(router, {
    method: 'post',
    path: '/auth/forgot-password',
    summary: 'Email a password reset link',
    description: 'Always 202 with the same body, registered email or not: the answer reveals nothing.',
    tags: TAGS,
    body: forgotPasswordBody,
    responses: {
      202: { description: 'Accepted.', schema: acceptedSchema },
      429: mailLimited,
    },
    handler: async ({ body, req }) => {
      const { mailSent } = await auth.forgotPassword(body.email, clientInfo(req));
      // The look-up and the mail happen after the answer; graceful shutdown waits for them.
      void trackWork(req, mailSent);
      return { message: 'If an account exists for this email, a reset link is on its way.' };
    },
  });

  api.route(router, {
    method: 'post',
    path: '/auth/reset-password',
    summary: 'Set a new password with the token from the reset email',
    description: 'Ends every session of the account: sign in again with the new password.',
    tags: TAGS,
    body: resetPasswordBody,
    responses: {
      204: { description: 'The password is changed and every session ended.' },
      422: {
        description: 'The token is invalid, used or expired, or the new password is refused.',
        problems: [invalidLink(), weakPassword('password')],
      },
    },
    handler: async ({ body }) => {
      await auth.resetPassword(body);
    },
  });

  return router;
}
