import { z } from 'zod';
import { ServiceUnavailableError } from '@mini/http';

/**
 * The auth service's public user look-up. Users live in auth's database, which this service never reads:
 * it asks auth over HTTP, bounded by a timeout, and trusts the answer only after validating it.
 */
export interface UserDirectory {
  /** The user, or null when auth says there is no such username. Throws 503 when auth cannot answer. */
  findByUsername(username: string, context: CallContext): Promise<DirectoryUser | null>;
}

export interface CallContext {
  /** The caller's own Authorization header: auth decides what the caller may look up. */
  authorization: string | undefined;
  requestId: string | undefined;
}

const directoryUserSchema = z.object({
  id: z.uuid(),
  username: z.string().min(1),
  displayName: z.string().nullable(),
});

type DirectoryUser = z.infer<typeof directoryUserSchema>;

/** The kit's code for any dependency that is down, so that a client handles every outage the same way. */
export function unavailable(cause?: unknown): ServiceUnavailableError {
  return new ServiceUnavailableError('The user directory (auth service) is not reachable; try again later.', {
    code: 'dependency-unavailable',
    headers: { 'Retry-After': '5' },
    cause,
  });
}

export function createUserDirectory(options: { baseUrl: string; timeoutMs: number }): UserDirectory {
  const base = options.baseUrl.replace(/\/+$/, '');

  return {
    async findByUsername(username, context) {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (context.authorization) headers.authorization = context.authorization;
      if (context.requestId) headers['x-request-id'] = context.requestId;

      let response: Response;
      try {
        response = await fetch(`${base}/users/by-username/${encodeURIComponent(username)}`, {
          headers,
          signal: AbortSignal.timeout(options.timeoutMs),
        });
      } catch (err) {
        // Connection refused, DNS failure or timeout: all mean auth cannot answer right now.
        throw unavailable(err);
      }

      if (response.status === 404) {
        await response.body?.cancel();
        return null;
      }
      if (response.status !== 200) {
        await response.body?.cancel();
        throw unavailable(new Error(`auth answered ${response.status}`));
      }
      let body: unknown;
      try {
        body = await response.json();
      } catch (err) {
        throw unavailable(err);
      }
      const parsed = directoryUserSchema.safeParse(body);
      if (!parsed.success) throw unavailable(parsed.error);
      return parsed.data;
    },
  };
}
