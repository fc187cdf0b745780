import { signedInWithin } from '@mini/auth';
import { isUniqueViolation } from '@mini/db';
import { ConflictError, NotFoundError, ValidationError } from '@mini/http';
import type { PasswordPolicy } from '../passwords/password-policy.ts';
import type { Store } from '../repositories.ts';
import type { PasswordHasher } from '../passwords/password-hasher.ts';
import type { SessionsService } from '../sessions/sessions.service.ts';
import type { LoginThrottle } from '../throttle/login-throttle.ts';
import type { MailRateLimit } from '../throttle/mail-rate-limit.ts';
import { emailTaken } from './account-creation.ts';
import {
  USER_EMAIL_UNIQUE,
  USER_USERNAME_UNIQUE,
  type UserRecord,
  type UsersRepository,
} from './users.repository.ts';

export interface UsersServiceDeps {
  users: UsersRepository;
  store: Store;
  sessions: SessionsService;
  hasher: PasswordHasher;
  policy: PasswordPolicy;
  throttle: LoginThrottle;
  mailLimit: MailRateLimit;
  /** Sends the mails of an email change (the auth service's templates); settles when sent, never rejects. */
  mails: { emailChanged(user: UserRecord, previousEmail: string): Promise<void> };
  settings: {
    /** Sudo mode: this long after signing in, a password or email change needs no current password. */
    reauthWindowSeconds: number;
  };
}

/** Who asks for a change: their session, their address (for the sign-in counters) and when they signed in. */
export interface Caller {
  sessionId: string;
  ip: string;
  authTime?: Date;
}

export function userNotFound(): NotFoundError {
  return new NotFoundError('No such user.', { code: 'user-not-found' });
}

export function wrongCurrentPassword(): ValidationError {
  return new ValidationError('The current password is incorrect.', {
    code: 'wrong-current-password',
    errors: { currentPassword: ['is incorrect'] },
  });
}

export function currentPasswordRequired(reauthWindowSeconds = 300): ValidationError {
  const minutes = Math.max(1, Math.round(reauthWindowSeconds / 60));
  return new ValidationError(
    `Your sign-in is more than ${minutes} minute(s) old: confirm this change with your current password, or sign in again.`,
    { code: 'current-password-required', errors: { currentPassword: ['is required'] } },
  );
}

export function usernameTaken(): ConflictError {
  return new ConflictError('This username is taken.', {
    code: 'username-taken',
    errors: { username: ['is taken'] },
  });
}

export function createUsersService(deps: UsersServiceDeps) {
  const { users, store, sessions, hasher, policy, throttle, mailLimit, mails, settings } = deps;

  async function mustFind(id: string): Promise<UserRecord> {
    const user = await users.findById(id);
    if (!user) throw userNotFound();
    return user;
  }

  /**
   * A stolen access token alone must not take the account over: a change of password or email needs the
   * current password, unless the caller signed in within the last few minutes (GitHub's "sudo mode"; the
   * token's `auth_time` says when, and refreshed tokens keep it). A current password that is sent is
   * always checked, on the same counters as sign-in, so this cannot become a way to guess it.
   */
  async function assertIdentityProven(user: UserRecord, caller: Caller, currentPassword?: string) {
    if (currentPassword === undefined) {
      if (signedInWithin(caller, settings.reauthWindowSeconds)) return;
      throw currentPasswordRequired(settings.reauthWindowSeconds);
    }
    const verified = await throttle.guard(user.email, caller.ip, async () =>
      (await hasher.verify(currentPassword, user.passwordHash)) ? user : null,
    );
    if (!verified) throw wrongCurrentPassword();
  }

  return {
    me: mustFind,

    /**
     * Username and display name change at once. A new email (compared without case) needs a proven
     * identity, starts unverified, voids the links mailed to the old address (a reset link followed later
     * would otherwise "verify" the new one), and mails both addresses: `mailSent` settles once they are out.
     */
    async updateMe(
      id: string,
      caller: Caller,
      changes: { username?: string; displayName?: string | null; email?: string; currentPassword?: string },
    ): Promise<{ user: UserRecord; mailSent: Promise<void> }> {
      const user = await mustFind(id);
      const newEmail =
        changes.email !== undefined && changes.email.toLowerCase() !== user.email.toLowerCase()
          ? changes.email
          : undefined;
      if (newEmail !== undefined || changes.currentPassword !== undefined) {
        await assertIdentityProven(user, caller, changes.currentPassword);
      }
      // Each change mails an address the caller names: the same limits as the other mail-sending requests.
      if (newEmail !== undefined) await mailLimit.assertAllowed(newEmail, caller.ip);

      let updated: UserRecord;
      try {
        updated = await store.transaction(async (tx) => {
          const row = await tx.users.updateProfile(id, {
            ...(changes.username === undefined ? {} : { username: changes.username }),
            ...(changes.displayName === undefined ? {} : { displayName: changes.displayName }),
            // Only the letter case differs: the same mailbox, still verified.
            ...(changes.email === undefined
              ? {}
              : { email: changes.email, emailVerified: newEmail === undefined }),
          });
          if (newEmail !== undefined) {
            await tx.oneTimeTokens.voidUnused(id, 'verify_email');
            await tx.oneTimeTokens.voidUnused(id, 'reset_password');
          }
          return row;
        });
      } catch (err) {
        const constraint = isUniqueViolation(err);
        if (constraint === USER_USERNAME_UNIQUE) throw usernameTaken();
        if (constraint === USER_EMAIL_UNIQUE) throw emailTaken();
        throw err;
      }
      if (newEmail === undefined) return { user: updated, mailSent: Promise.resolve() };
      return { user: updated, mailSent: mails.emailChanged(updated, user.email) };
    },

    /**
     * Needs the current password, or a recent sign-in (see assertIdentityProven); ends every other session
     * (whoever knew the old password is signed out, this device stays signed in) and voids unused password
     * reset links.
     */
    async changePassword(
      id: string,
      caller: Caller,
      input: { currentPassword?: string; newPassword: string },
    ): Promise<void> {
      const user = await mustFind(id);
      await assertIdentityProven(user, caller, input.currentPassword);
      policy.assertAcceptable('newPassword', input.newPassword, user);
      const passwordHash = await hasher.hash(input.newPassword);
      await store.transaction(async (tx) => {
        await tx.users.updatePasswordHash(id, passwordHash);
        // A reset link mailed before the change must not undo it (it may sit in a mailbox someone else reads).
        await tx.oneTimeTokens.voidUnused(id, 'reset_password');
      });
      await sessions.endAllOfUser(id, 'password-changed', caller.sessionId);
    },

    async publicProfileById(id: string): Promise<UserRecord> {
      return mustFind(id);
    },

    async publicProfileByUsername(username: string): Promise<UserRecord> {
      const user = await users.findByUsername(username);
      if (!user) throw userNotFound();
      return user;
    },
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
