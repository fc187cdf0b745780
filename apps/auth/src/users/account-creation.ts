import { isUniqueViolation } from '@mini/db';
import { ConflictError } from '@mini/http';
import type { PasswordHasher } from '../passwords/password-hasher.ts';
import type { PasswordPolicy } from '../passwords/password-policy.ts';
import {
  USER_EMAIL_UNIQUE,
  USER_USERNAME_UNIQUE,
  type Role,
  type UserRecord,
  type UsersRepository,
} from './users.repository.ts';
import { usernameTaken } from './users.service.ts';

export function emailTaken(): ConflictError {
  return new ConflictError('An account with this email already exists.', {
    code: 'email-taken',
    errors: { email: ['is already registered'] },
  });
}

/**
 * Creating an account, under the same rules wherever it happens (POST /auth/register, the create-admin
 * command): the password policy, the hash, and unique email and username (409 naming the field).
 */
export function createAccountCreator(deps: {
  users: UsersRepository;
  hasher: PasswordHasher;
  policy: PasswordPolicy;
}) {
  const { users, hasher, policy } = deps;
  return {
    async create(
      input: { email: string; username: string; password: string },
      options: { role?: Role; emailVerified?: boolean } = {},
    ): Promise<UserRecord> {
      policy.assertAcceptable('password', input.password, input);
      hasher.assertCapacity();
      const passwordHash = await hasher.hash(input.password);
      let user: UserRecord;
      try {
        user = await users.create({
          email: input.email,
          username: input.username,
          passwordHash,
          role: options.role ?? 'user',
        });
      } catch (err) {
        const constraint = isUniqueViolation(err);
        if (constraint === USER_EMAIL_UNIQUE) throw emailTaken();
        if (constraint === USER_USERNAME_UNIQUE) throw usernameTaken();
        throw err;
      }
      return options.emailVerified ? users.markEmailVerified(user.id) : user;
    },
  };
}

export type AccountCreator = ReturnType<typeof createAccountCreator>;
