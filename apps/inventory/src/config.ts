import type { z } from 'zod';
import { authEnvSchema, requireAuthKeySource, revocationEnvSchema } from '@mini/auth';
import { baseConfigSchema, loadConfigOrExit, portSchema, wholeNumber } from '@mini/config';

export const configSchema = baseConfigSchema
  .extend(authEnvSchema.shape)
  .extend({
    // Also declared in package.json ("mini": { "port" }), where `pnpm dev` reads it.
    PORT: portSchema(3004),
    // How long a stored Idempotency-Key answers retries of a stock write; after that the key may be reused.
    IDEMPOTENCY_TTL_HOURS: wholeNumber(24, { max: 24 * 30, unit: 'hours' }),
    // The sessions the auth service has ended (logout ...), so that their access tokens stop working here
    // at once; without REDIS_URL they work until they expire (see @mini/auth).
    ...revocationEnvSchema.shape,
  })
  .superRefine(requireAuthKeySource);

export type Config = z.infer<typeof configSchema>;

export function loadConfig(): Config {
  return loadConfigOrExit(configSchema, { cwd: import.meta.dirname + '/..' });
}
