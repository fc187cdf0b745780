import type { z } from 'zod';
import { authEnvSchema, requireAuthKeySource, revocationEnvSchema } from '@mini/auth';
import { baseConfigSchema, portSchema } from '@mini/config';

// Validated at start-up by runService (src/server.ts). A variable of your own goes here; mark a secret one
// with secret() from @mini/config, so the start-up log line shows it redacted.
export const configSchema = baseConfigSchema
  .extend(authEnvSchema.shape)
  .extend({
    // Also declared in package.json ("mini": { "port" }), where `pnpm dev` and `pnpm new-service` read it.
    PORT: portSchema(__PORT__),
    // The sessions the auth service has ended (logout ...), so that their access tokens stop working here
    // at once; without REDIS_URL they work until they expire (see @mini/auth).
    ...revocationEnvSchema.shape,
  })
  .superRefine(requireAuthKeySource);

export type Config = z.infer<typeof configSchema>;
