import { z } from 'zod';
import { authEnvSchema, requireAuthKeySource, revocationEnvSchema } from '@mini/auth';
import { baseConfigSchema, loadConfigOrExit, portSchema, wholeNumber } from '@mini/config';

export const configSchema = baseConfigSchema
  .extend(authEnvSchema.shape)
  .extend({
    // Also declared in package.json ("mini": { "port" }), where `pnpm dev` and `pnpm new-service` read it.
    PORT: portSchema(3005),
    // The sessions the auth service has ended (logout ...), so that their access tokens stop working here
    // at once; without REDIS_URL they work until they expire (see @mini/auth).
    ...revocationEnvSchema.shape,
    // Per socket: message:send events allowed per 10 seconds; more are refused with a rate-limited ack.
    SOCKET_SENDS_PER_10S: wholeNumber(20, { max: 10_000 }),
    // Per socket and room: at most one typing event passed on per this many ms; the rest are dropped.
    TYPING_THROTTLE_MS: wholeNumber(2_000, { max: 60_000, unit: 'ms' }),
    // Rooms one socket may have joined at once (room:join beyond it: too-many-rooms).
    SOCKET_MAX_ROOMS: wholeNumber(100, { max: 10_000 }),
    // How long a user stays online after their last socket closed (a reload, a flaky network).
    // With REDIS_URL, chat processes share socket.io events through socket.io's Redis streams adapter; its
    // stream, channels and session keys all start with this prefix (the Redis may be shared).
    SOCKET_REDIS_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9:_-]{1,64}$/, { error: 'expected 1 to 64 letters, digits, : _ or -' })
      .default('mini-chat'),
    PRESENCE_GRACE_MS: wholeNumber(5_000, { min: 0, max: 600_000, unit: 'ms' }),
  })
  .superRefine(requireAuthKeySource);

export type Config = z.infer<typeof configSchema>;

export function loadConfig(): Config {
  return loadConfigOrExit(configSchema, { cwd: import.meta.dirname + '/..' });
}
