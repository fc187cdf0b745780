import { TooManyRequestsError } from '@mini/http';
import { clientIpKey } from './ip-key.ts';
import type { RateLimitRepository } from './rate-limit.repository.ts';

export const tooManyMailRequests = (retryAfterSeconds = 1) =>
  new TooManyRequestsError('Too many emails requested. Try again later.', {
    code: 'too-many-mail-requests',
    retryAfterSeconds,
  });

export interface MailRateLimitOptions {
  perEmail: number;
  perIp: number;
  windowSeconds: number;
}

/**
 * Limits the requests that make this service send mail (register, verify-email/resend, forgot-password):
 * per target email, so nobody's mailbox can be flooded, and per client IP, so one client cannot make the
 * service spam many mailboxes (and burn its sending reputation). The email is counted as typed, whether or
 * not an account has it: forgot-password's 429 then says nothing about which addresses are registered.
 */
export function createMailRateLimit(repository: RateLimitRepository, options: MailRateLimitOptions) {
  return {
    /** Counts one request; throws 429 with Retry-After (the end of the window) past either limit. */
    async assertAllowed(email: string, ip: string): Promise<void> {
      const [byEmail, byIp] = await Promise.all([
        repository.hit(`mail-email:${email.trim().toLowerCase()}`, options.windowSeconds),
        repository.hit(`mail-ip:${clientIpKey(ip)}`, options.windowSeconds),
      ]);
      const over = [
        ...(byEmail.hits > options.perEmail ? [byEmail.windowEndsAt.getTime()] : []),
        ...(byIp.hits > options.perIp ? [byIp.windowEndsAt.getTime()] : []),
      ];
      if (over.length > 0) {
        throw tooManyMailRequests(Math.max(1, (Math.max(...over) - Date.now()) / 1000));
      }
    },
  };
}

export type MailRateLimit = ReturnType<typeof createMailRateLimit>;
