import { z } from 'zod';
import { AppError, type Forwarded, type ServiceClient } from '@mini/http';

/**
 * The auth service's public user look-up. Users live in auth's database, which this service never reads:
 * it asks auth over HTTP (@mini/http's service client: timeout, request id, the caller's token and address
 * passed on, the answer validated).
 */
export interface UserDirectory {
  /**
   * The user, or null when auth says there is no such username. Throws 503 `dependency-unavailable` when
   * auth cannot answer, and auth's other refusals (401, 429 ...) as this service's own.
   */
  findByUsername(username: string, forwarded: Forwarded): Promise<DirectoryUser | null>;
}

const directoryUserSchema = z.object({
  id: z.uuid(),
  username: z.string().min(1),
  displayName: z.string().nullable(),
});

type DirectoryUser = z.infer<typeof directoryUserSchema>;

export function createUserDirectory(auth: ServiceClient): UserDirectory {
  return {
    async findByUsername(username, forwarded) {
      try {
        return await auth.request({
          path: `/users/by-username/${encodeURIComponent(username)}`,
          schema: directoryUserSchema,
          forwarded,
        });
      } catch (err) {
        if (err instanceof AppError && err.status === 404) return null;
        throw err;
      }
    },
  };
}
