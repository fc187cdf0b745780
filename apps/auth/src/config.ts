import path from 'node:path';
import { z } from 'zod';
import { authEnvSchema, revocationEnvSchema } from '@mini/auth';
import {
  baseConfigSchema,
  booleanFromEnv,
  httpUrl,
  loadConfigOrExit,
  optionalText,
  portSchema,
  seconds,
  secret,
  secretUrl,
  wholeNumber,
} from '@mini/config';

/** Where development keys live when nothing else is configured: the repository's git-ignored .data/. */
export const DEFAULT_DEV_KEYS_DIR = path.resolve(import.meta.dirname, '../../../.data/keys/auth');
/** The development pepper, generated on first start when PASSWORD_PEPPER is not set (never in production). */
export const DEFAULT_DEV_PEPPER_FILE = path.resolve(
  import.meta.dirname,
  '../../../.data/keys/auth-password-pepper',
);

const PEPPER_RULE = 'expected at least 32 characters (e.g. openssl rand -base64 32)';
const pepperSchema = z.string().min(32, { error: PEPPER_RULE });

export const configSchema = baseConfigSchema
  .extend({
    PORT: portSchema(3001),

    // Tokens. The same variables (and defaults) the verifying services read, so one .env serves all.
    AUTH_ISSUER: authEnvSchema.shape.AUTH_ISSUER,
    AUTH_AUDIENCE: authEnvSchema.shape.AUTH_AUDIENCE,
    ACCESS_TOKEN_TTL_SECONDS: seconds(15 * 60, 30),
    // A refresh token unused for this long dies (idle timeout) ...
    REFRESH_TOKEN_TTL_SECONDS: seconds(7 * 24 * 3600, 60),
    // ... and no session outlives this, however often it is refreshed (absolute timeout).
    SESSION_MAX_AGE_SECONDS: seconds(30 * 24 * 3600, 60),
    // ... and one user has at most this many active sessions: a sign-in beyond it ends the least recently used.
    MAX_SESSIONS_PER_USER: wholeNumber(20),

    // Signing keys: a folder of PEM files (development default: generated once under .data/keys/auth),
    // or the PEM itself in JWT_PRIVATE_KEY (containers, secret managers). Production requires one of them.
    JWT_KEYS_DIR: optionalText,
    JWT_PRIVATE_KEY: secret(optionalText),
    // Public keys (PEM, concatenated) of retired signing keys whose tokens may still be live.
    JWT_PREVIOUS_PUBLIC_KEYS: optionalText,
    // Which key of JWT_KEYS_DIR signs; default: the newest file (file names sort by creation time).
    JWT_SIGNING_KID: optionalText,

    // Passwords. The pepper keys the pre-hash before bcrypt (HMAC-SHA-256): a stolen database is useless
    // without it. Production requires it; development generates one into .data/. Hashes made with the
    // previous pepper (after a rotation) still verify and are rehashed with the current one at their next login.
    PASSWORD_PEPPER: secret(optionalText.pipe(pepperSchema.optional())),
    PASSWORD_PREVIOUS_PEPPER: secret(optionalText.pipe(pepperSchema.optional())),
    // 12 is ~250 ms on a 2024 laptop core; tests lower it to 4.
    BCRYPT_COST: wholeNumber(12, { min: 4, max: 15 }),
    // At most this many bcrypt hashes at once (default: one thread fewer than libuv's pool, at least 2), so
    // the pool always has a thread for the database driver's connection handshake; at most
    // PASSWORD_HASH_QUEUE_LIMIT more wait their turn, for at most PASSWORD_HASH_QUEUE_TIMEOUT_MS; past
    // either limit the answer is 503 `busy` with Retry-After: 1.
    PASSWORD_HASH_CONCURRENCY: wholeNumber(Math.max(2, (Number(process.env.UV_THREADPOOL_SIZE) || 4) - 1)),
    PASSWORD_HASH_QUEUE_LIMIT: wholeNumber(32, { min: 0 }),
    PASSWORD_HASH_QUEUE_TIMEOUT_MS: wholeNumber(2000, { min: 10, max: 600_000, unit: 'milliseconds' }),

    // The password policy refuses the most common passwords. `off` only for API test collections that
    // register `password123` (RealWorld's do); never for real users.
    PASSWORD_COMMON_CHECK: z.enum(['on', 'off'], { error: 'expected on or off' }).default('on'),
    // Sudo mode: this long after signing in with their password (the access token's auth_time), a user may
    // change their password or email without typing the current password again; later they must.
    REAUTH_WINDOW_SECONDS: seconds(300),

    // Brute-force protection: failures per account (email) and per client IP within the window;
    // past the limit a lock starts at the base duration and doubles with every further failure.
    LOGIN_MAX_FAILURES_PER_ACCOUNT: wholeNumber(5),
    LOGIN_MAX_FAILURES_PER_IP: wholeNumber(50),
    LOGIN_FAILURE_WINDOW_SECONDS: seconds(15 * 60),
    LOGIN_LOCK_BASE_SECONDS: seconds(30),
    LOGIN_LOCK_MAX_SECONDS: seconds(60 * 60),

    // Requests that send mail (register, verify-email/resend, forgot-password), per target email and per
    // client IP, in a fixed window; past either: 429 with Retry-After.
    MAIL_LIMIT_PER_EMAIL: wholeNumber(5),
    MAIL_LIMIT_PER_IP: wholeNumber(20),
    MAIL_LIMIT_WINDOW_SECONDS: seconds(15 * 60),

    // Revocation list for the other services; without it they fall back to the access token's lifetime.
    REDIS_URL: secretUrl(
      optionalText.pipe(
        z
          .string()
          .refine((value) => /^rediss?:\/\//.test(value) && URL.canParse(value), {
            error: 'expected a redis:// or rediss:// URL',
          })
          .optional(),
      ),
    ),
    // The longest a Redis connection attempt, write or ping may take (the verifying services read it too).
    REDIS_TIMEOUT_MS: revocationEnvSchema.shape.REDIS_TIMEOUT_MS,
    // Ended sessions are queued in the database (the revocation outbox) and published to Redis by a loop:
    // at once when a session ends, every REVOCATION_OUTBOX_POLL_MS for rows another process left, and
    // while Redis fails, with back-off from 100 ms up to REVOCATION_RETRY_MAX_MS (and at once when it
    // reconnects).
    REVOCATION_OUTBOX_POLL_MS: wholeNumber(2000, { min: 10, max: 600_000, unit: 'milliseconds' }),
    REVOCATION_RETRY_MAX_MS: wholeNumber(1000, { min: 10, max: 600_000, unit: 'milliseconds' }),

    // Mail: SMTP when SMTP_URL is set. Otherwise, with DEV_OUTBOX=true (pnpm dev sets it; refused in
    // production), the dev outbox: bodies logged and listed, unauthenticated, at GET /dev/outbox. Without
    // either, mails are not sent and only recipient and subject are logged.
    SMTP_URL: secretUrl(optionalText),
    DEV_OUTBOX: booleanFromEnv().default(false),
    MAIL_FROM: z.string().min(3).default('Mini Backends <no-reply@localhost>'),
    // Mails lead with the API call that spends their token (a curl command to PUBLIC_API_URL, this service
    // as clients reach it), then a link to PUBLIC_APP_URL: a front end's page there would read the token
    // from the query string and make the same call. This service serves no such page.
    PUBLIC_API_URL: httpUrl().default('http://localhost:3001'),
    PUBLIC_APP_URL: httpUrl().default('http://localhost:3001'),
    EMAIL_VERIFICATION_TTL_SECONDS: seconds(24 * 3600, 60),
    PASSWORD_RESET_TTL_SECONDS: seconds(3600, 60),
    // When true, login refuses accounts whose email is not verified yet (403 email-not-verified).
    REQUIRE_EMAIL_VERIFICATION: booleanFromEnv().default(false),
  })
  .superRefine((config, ctx) => {
    if (config.NODE_ENV === 'production' && !config.JWT_KEYS_DIR && !config.JWT_PRIVATE_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['JWT_PRIVATE_KEY'],
        message: 'required in production (or JWT_KEYS_DIR): keys are generated only in development',
      });
    }
    if (config.NODE_ENV === 'production' && !config.PASSWORD_PEPPER) {
      ctx.addIssue({
        code: 'custom',
        path: ['PASSWORD_PEPPER'],
        message: `required in production, the same on every instance, backed up: ${PEPPER_RULE}`,
      });
    }
    if (config.NODE_ENV === 'production' && config.DEV_OUTBOX) {
      ctx.addIssue({
        code: 'custom',
        path: ['DEV_OUTBOX'],
        message:
          'must not be true in production: GET /dev/outbox would show every reset token to anyone ' +
          '(set NODE_ENV=development to develop, or SMTP_URL to send mail)',
      });
    }
    if (config.SESSION_MAX_AGE_SECONDS < config.REFRESH_TOKEN_TTL_SECONDS) {
      ctx.addIssue({
        code: 'custom',
        path: ['SESSION_MAX_AGE_SECONDS'],
        message: 'must be at least REFRESH_TOKEN_TTL_SECONDS',
      });
    }
  });

export type Config = z.infer<typeof configSchema>;

export function loadConfig(): Config {
  return loadConfigOrExit(configSchema, { cwd: import.meta.dirname + '/..' });
}
