import { TooManyRequestsError } from '@mini/http';
import { clientIpKey } from './ip-key.ts';
import type { FailurePolicy, LoginThrottleRepository } from './login-throttle.repository.ts';

export const tooManyLoginAttempts = (retryAfterSeconds = 1) =>
  new TooManyRequestsError('Too many failed sign-in attempts. Try again later.', {
    code: 'too-many-login-attempts',
    retryAfterSeconds,
  });

export interface LoginThrottleOptions {
  account: FailurePolicy;
  ip: FailurePolicy;
}

/**
 * Brute-force protection for password checks, counted per account (the email as typed, whether or not
 * it is registered: a lock must not reveal that an account exists) and per client IP (one attacker
 * trying many accounts).
 */
export function createLoginThrottle(repository: LoginThrottleRepository, options: LoginThrottleOptions) {
  const keys = (email: string, ip: string) => ({
    account: `account:${email.trim().toLowerCase()}`,
    ip: `ip:${clientIpKey(ip)}`,
  });

  async function refuse(accountKey: string, ipKey: string): Promise<never> {
    // Locked: until the lock ends. Not locked: the remaining attempts are all being checked right now,
    // and one of them may yet succeed, so ask to come back in a second.
    const until = await repository.lockedUntil([accountKey, ipKey]);
    throw tooManyLoginAttempts(until ? Math.max(1, (until.getTime() - Date.now()) / 1000) : 1);
  }

  return {
    /**
     * Runs one password check under the limits. A slot is reserved for both keys BEFORE the check (one
     * statement each), so parallel attempts cannot slip past the limit between a check and its count;
     * without a slot the answer is 429. `check` returns the signed-in value, or null for a failure.
     * During a lock even the right password gets the same 429: a guesser cannot learn that a guess was right.
     * A success clears the account's count only: an attacker's IP stays counted whatever one account does.
     */
    async guard<T>(email: string, ip: string, check: () => Promise<T | null>): Promise<T | null> {
      const { account, ip: ipKey } = keys(email, ip);
      if (!(await repository.reserve(account, options.account))) return refuse(account, ipKey);
      if (!(await repository.reserve(ipKey, options.ip))) {
        await repository.releaseUnused(account);
        return refuse(account, ipKey);
      }
      let result: T | null;
      try {
        result = await check();
      } catch (err) {
        // The check never gave an answer (server busy, database down): it is not a failure.
        await Promise.all([repository.releaseUnused(account), repository.releaseUnused(ipKey)]);
        throw err;
      }
      if (result === null) {
        await Promise.all([
          repository.releaseFailure(account, options.account),
          repository.releaseFailure(ipKey, options.ip),
        ]);
      } else {
        await Promise.all([
          repository.releaseSuccess(account, true),
          repository.releaseSuccess(ipKey, false),
        ]);
      }
      return result;
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
