import type { Logger } from '@mini/logger';
import { createAdminService } from '../admin/admin.service.ts';
import type { Database } from '../db.ts';
import { createPasswordHasher, type PasswordHashing } from '../passwords/password-hasher.ts';
import { noRevocations, type Revocations } from '../revocation/revocation-relay.ts';
import { createStore } from '../repositories.ts';
import { createSessionEnder } from '../sessions/sessions.service.ts';
import { createAccountCreator } from '../users/account-creation.ts';
import { createPasswordPolicy } from '../passwords/password-policy.ts';
import type { UserRecord } from '../users/users.repository.ts';
import { emailSchema, usernameSchema } from '../users/users.schemas.ts';

export interface CreateAdminInput {
  email: string;
  username: string;
  /** Read only when an account is created (a promotion needs no password). */
  password: () => Promise<string>;
  /** BCRYPT_COST and the peppers: the service's own, or its login could not verify the password. */
  hashing: PasswordHashing;
  /** Make an existing account with this email an admin (it must have verified the email). */
  promote?: boolean;
}

export type CreateAdminResult =
  | { outcome: 'created'; user: UserRecord }
  | { outcome: 'promoted'; user: UserRecord }
  | { outcome: 'already-admin'; user: UserRecord };

/**
 * The core of the create-admin command, separate from argument parsing so a test can run it, and made of
 * the service's own code: registration's rules for a new account, the admin API's promotion for an
 * existing one. An existing account is never promoted silently: without `promote`, anyone who registered
 * the admin's address first would become admin with their own password.
 */
export async function createAdminAccount(
  db: Database,
  input: CreateAdminInput,
  deps: { logger: Logger; revocations?: Revocations },
): Promise<CreateAdminResult> {
  const email = emailSchema.parse(input.email);
  const username = usernameSchema.parse(input.username);
  const store = createStore(db);
  const { users } = store.repos;
  const sessions = createSessionEnder({ store, revocations: deps.revocations ?? noRevocations });
  const admin = createAdminService({ users, sessions, logger: deps.logger });

  const existing = await users.findByEmail(email);
  if (existing) {
    if (!input.promote) {
      throw new Error(
        `an account with the email ${existing.email} already exists (username ${existing.username}). ` +
          'To make it an admin, run again with --promote: its email must be verified, and its sessions end.',
      );
    }
    if (existing.role === 'admin') return { outcome: 'already-admin', user: existing };
    return { outcome: 'promoted', user: await admin.promoteVerified({ cli: 'create-admin' }, existing.id) };
  }
  const accounts = createAccountCreator({
    users,
    hasher: createPasswordHasher(input.hashing),
    // Admin accounts always get the whole policy, whatever PASSWORD_COMMON_CHECK says.
    policy: createPasswordPolicy(),
  });
  const user = await accounts.create(
    { email, username, password: await input.password() },
    { role: 'admin', emailVerified: true },
  );
  return { outcome: 'created', user };
}
