import { isUniqueViolation } from '@mini/db';
import { ConflictError, NotFoundError, ValidationError } from '@mini/http';
import { assertAcceptablePassword } from '../passwords/password-policy.ts';
import type { OneTimeTokensRepository } from '../one-time-tokens/one-time-tokens.repository.ts';
import type { PasswordHasher } from '../passwords/password-hasher.ts';
import type { SessionsService } from '../sessions/sessions.service.ts';
import type { LoginThrottle } from '../throttle/login-throttle.ts';
import { USER_USERNAME_UNIQUE, type UserRecord, type UsersRepository } from './users.repository.ts';

export interface UsersServiceDeps {
  users: UsersRepository;
  oneTimeTokens: Pick<OneTimeTokensRepository, 'voidUnused'>;
  sessions: SessionsService;
  hasher: PasswordHasher;
  throttle: LoginThrottle;
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

export function usernameTaken(): ConflictError {
  return new ConflictError('This username is taken.', {
    code: 'username-taken',
    errors: { username: ['is taken'] },
  });
}

export function createUsersService(deps: UsersServiceDeps) {
  const { users, oneTimeTokens, sessions, hasher, throttle } = deps;

  async function mustFind(id: string): Promise<UserRecord> {
    const user = await users.findById(id);
    if (!user) throw userNotFound();
    return user;
  }

  return {
    me: mustFind,

    async updateMe(
      id: string,
      changes: { username?: string; displayName?: string | null },
    ): Promise<UserRecord> {
      try {
        return await users.updateProfile(id, changes);
      } catch (err) {
        if (isUniqueViolation(err) === USER_USERNAME_UNIQUE) throw usernameTaken();
        throw err;
      }
    },

    /**
     * Needs the current password (a stolen access token alone must not take the account over), ends
     * every other session (whoever knew the old password is signed out, this device stays signed in) and
     * voids unused password reset links.
     */
    async changePassword(
      id: string,
      caller: { sessionId: string; ip: string },
      input: { currentPassword: string; newPassword: string },
    ): Promise<void> {
      const user = await mustFind(id);
      // The same counters as sign-in: a stolen access token must not become a way to guess the password.
      const verified = await throttle.guard(user.email, caller.ip, async () =>
        (await hasher.verify(input.currentPassword, user.passwordHash)) ? user : null,
      );
      if (!verified) {
        throw wrongCurrentPassword();
      }
      assertAcceptablePassword('newPassword', input.newPassword, user);
      await users.updatePasswordHash(id, await hasher.hash(input.newPassword));
      // A reset link mailed before the change must not undo it (it may sit in a mailbox someone else reads).
      await oneTimeTokens.voidUnused(id, 'reset_password');
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
