import type { z } from 'zod';
import { authApiEnvSchema, authEnvSchema, requireAuthKeySource, revocationEnvSchema } from '@mini/auth';
import { baseConfigSchema, portSchema, wholeNumber } from '@mini/config';

export const configSchema = baseConfigSchema
  .extend(authEnvSchema.shape)
  .extend({
    PORT: portSchema(3002),
    // The auth service's public API (AUTH_URL, AUTH_TIMEOUT_MS), used to resolve a username when a member
    // is added.
    ...authApiEnvSchema.shape,
    // How long a stored Idempotency-Key answers retries; after that the key may be reused.
    IDEMPOTENCY_TTL_HOURS: wholeNumber(24, { max: 24 * 30, unit: 'hours' }),
    // The sessions the auth service has ended (logout, password change ...), so that their access tokens
    // stop working here at once; without REDIS_URL they work until they expire. Plus the timings of the
    // check: REDIS_TIMEOUT_MS, REVOCATION_CACHE_MS, REVOCATION_BREAKER_MS (see @mini/auth).
    ...revocationEnvSchema.shape,
  })
  .superRefine(requireAuthKeySource);

export type Config = z.infer<typeof configSchema>;
