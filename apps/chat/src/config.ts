import type { z } from 'zod';
import { authEnvSchema, requireAuthKeySource, revocationEnvSchema } from '@mini/auth';
import { baseConfigSchema, loadConfigOrExit, portSchema } from '@mini/config';

export const configSchema = baseConfigSchema
  .extend(authEnvSchema.shape)
  .extend({
    // Also declared in package.json ("mini": { "port" }), where `pnpm dev` and `pnpm new-service` read it.
    PORT: portSchema(3005),
    // The sessions the auth service has ended (logout ...), so that their access tokens stop working here
    // at once; without REDIS_URL they work until they expire (see @mini/auth).
    ...revocationEnvSchema.shape,
  })
  .superRefine(requireAuthKeySource);

export type Config = z.infer<typeof configSchema>;

export function loadConfig(): Config {
  return loadConfigOrExit(configSchema, { cwd: import.meta.dirname + '/..' });
}
