import type { z } from 'zod';
import { authApiEnvSchema, authEnvSchema, requireAuthKeySource, revocationEnvSchema } from '@mini/auth';
import { baseConfigSchema, loadConfigOrExit, portSchema } from '@mini/config';

export const configSchema = baseConfigSchema
  .extend(authEnvSchema.shape)
  .extend({
    // Also declared in package.json ("mini": { "port" }), where `pnpm dev` reads it.
    PORT: portSchema(3003),
    // The auth service's API (AUTH_URL, AUTH_TIMEOUT_MS): RealWorld's sign-up, sign-in and account changes
    // are auth's, called on the client's behalf.
    ...authApiEnvSchema.shape,
    // The sessions the auth service has ended (logout ...), so that their access tokens stop working here
    // at once; without REDIS_URL they work until they expire (see @mini/auth).
    ...revocationEnvSchema.shape,
  })
  .superRefine(requireAuthKeySource);

export type Config = z.infer<typeof configSchema>;

export function loadConfig(): Config {
  return loadConfigOrExit(configSchema, { cwd: import.meta.dirname + '/..' });
}
