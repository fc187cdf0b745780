import { AppError, ValidationError, type Forwarded } from '@mini/http';
import type { ProfileRecord } from '../profiles/profiles.repository.ts';
import type { Store } from '../repositories.ts';
import type { Actor } from '../shared/actor.ts';
import type { Account, Accounts } from './accounts.ts';
import type { UserChanges, UserDto } from './users.schemas.ts';

const toUser = (account: Account, token: string, profile: ProfileRecord): UserDto => ({
  email: account.email,
  token,
  username: account.username,
  bio: profile.bio,
  image: profile.image,
});

// RealWorld clients clear a field with an empty string as often as with null: both are stored as null.
const emptyAsNull = (value: string | null | undefined) => (value === '' ? null : value);

// RealWorld's PUT /user answers 422 for any refused field: auth's 409 (email or username taken) becomes one.
function takenIsInvalid(err: unknown): never {
  if (err instanceof AppError && err.status === 409) {
    throw new ValidationError(err.detail, { code: err.code, ...(err.errors ? { errors: err.errors } : {}) });
  }
  throw err;
}

export function createUsersService(store: Store, accounts: Accounts) {
  const { repos } = store;

  /** The profile of a user auth has just vouched for, its username projection brought up to date. */
  async function profileOf(account: Account): Promise<ProfileRecord> {
    const profile = await repos.profiles.find(account.id);
    if (profile && profile.username === account.username) return profile;
    return repos.profiles.upsertUsername(account.id, account.username);
  }

  return {
    /** Registers with auth, then signs in there: RealWorld answers a sign-up with a token. */
    async register(input: { email: string; username: string; password: string }, from: Forwarded) {
      const account = await accounts.register(input, from);
      const token = await accounts.login({ email: input.email, password: input.password }, from);
      return toUser(account, token, await profileOf(account));
    },

    async login(input: { email: string; password: string }, from: Forwarded) {
      const token = await accounts.login(input, from);
      const account = await accounts.me(token, from);
      return toUser(account, token, await profileOf(account));
    },

    async current(actor: Actor, from: Forwarded) {
      const account = await accounts.me(actor.token, from);
      return toUser(account, actor.token, await profileOf(account));
    },

    /**
     * Account fields go to auth (email and username first, then the password), bio and image stay here.
     * Auth has no single call for both, so a refused password after an accepted email change leaves the
     * email changed: the answer is the refusal, and the client sees the new email on its next GET.
     */
    async update(actor: Actor, changes: UserChanges, from: Forwarded) {
      const accountChanges = {
        ...(changes.email === undefined ? {} : { email: changes.email }),
        ...(changes.username === undefined ? {} : { username: changes.username }),
      };
      let account =
        Object.keys(accountChanges).length > 0
          ? await accounts.update(actor.token, accountChanges, from).catch(takenIsInvalid)
          : undefined;
      // Auth ends the user's other sessions and keeps this one: the token the client holds stays good.
      if (changes.password !== undefined) await accounts.changePassword(actor.token, changes.password, from);
      account ??= await accounts.me(actor.token, from);
      const profile = await repos.profiles.save(account.id, account.username, {
        bio: emptyAsNull(changes.bio),
        image: emptyAsNull(changes.image),
      });
      return toUser(account, actor.token, profile);
    },
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
