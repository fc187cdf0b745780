import { TooManyRequestsError } from '@mini/http';
import type { FailurePolicy, LoginThrottleRepository } from './login-throttle.repository.ts';

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
    ip: `ip:${ip}`,
  });

  return {
    /**
     * Throws 429 while either key is locked. Checked before the password, so during a lock even the right
     * password gets this same answer: a guesser cannot learn that a guess was right.
     */
    async assertAllowed(email: string, ip: string): Promise<void> {
      const { account, ip: ipKey } = keys(email, ip);
      const until = await repository.lockedUntil([account, ipKey]);
      if (until) {
        throw new TooManyRequestsError('Too many failed sign-in attempts. Try again later.', {
          code: 'too-many-login-attempts',
          retryAfterSeconds: Math.max(1, (until.getTime() - Date.now()) / 1000),
        });
      }
    },

    async recordFailure(email: string, ip: string): Promise<void> {
      const { account, ip: ipKey } = keys(email, ip);
      await Promise.all([
        repository.recordFailure(account, options.account),
        repository.recordFailure(ipKey, options.ip),
      ]);
    },

    /** A success clears the account's count only: an attacker's IP stays counted whatever one account does. */
    async recordSuccess(email: string): Promise<void> {
      await repository.reset(keys(email, '').account);
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
