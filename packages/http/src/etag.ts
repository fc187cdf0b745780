import type { Response } from 'express';
import { PreconditionFailedError, PreconditionRequiredError, type AppError } from './errors.ts';

/**
 * Optimistic concurrency with version-based strong ETags. A resource with a `version` column (bumped by
 * every write) has the ETag `"<version>"`: it changes exactly when the resource does, costs no hashing, and
 * a client sends it back in `If-Match` so that a write based on a stale read is refused (412) instead of
 * silently overwriting someone else's edit.
 */

/** What an `If-Match` header accepts: '*' (any current version) or a list of versions. */
export type IfMatch = '*' | number[];

export const etagOf = (resource: { version: number }): string => `"${resource.version}"`;

/** Sets the ETag of `resource` on the answer and returns it (so a handler can `return withEtag(res, x)`). */
export function withEtag<T extends { version: number }>(res: Response, resource: T): T {
  res.setHeader('ETag', etagOf(resource));
  return resource;
}

/**
 * Reads `If-Match`: undefined when absent; `*`; or the versions of the strong tags it lists. Weak tags
 * (W/"3") and anything malformed never match, because If-Match compares strongly (RFC 9110 13.1.1): such a
 * header is a precondition that cannot hold (412), not a 422.
 *
 * `required: true` is a service's decision that this write is only taken conditionally: without the header
 * the answer is 428 precondition-required, so a client cannot overwrite an edit it has never seen.
 */
export function parseIfMatch(
  header: string | undefined,
  options: { required?: boolean } = {},
): IfMatch | undefined {
  if (header === undefined) {
    if (options.required) {
      throw new PreconditionRequiredError(
        'This write needs an If-Match header with the ETag of the version you read (or * for any).',
      );
    }
    return undefined;
  }
  if (header.trim() === '*') return '*';
  return header
    .split(',')
    .map((tag) => /^\s*"(\d+)"\s*$/.exec(tag)?.[1])
    .filter((version): version is string => version !== undefined)
    .map(Number);
}

/**
 * The kit's 412: `currentVersion` tells the client which version to fetch again. `what` names the resource
 * in the detail; `code` defaults to precondition-failed (tasks keeps its documented `stale-version`).
 */
export const staleVersion = (
  currentVersion: number,
  options: { what?: string; code?: string } = {},
): PreconditionFailedError =>
  new PreconditionFailedError(
    `The ${options.what ?? 'resource'} has changed since you read it (current version ${currentVersion}); fetch it again and reapply your change.`,
    { ...(options.code === undefined ? {} : { code: options.code }), extensions: { currentVersion } },
  );

/**
 * Checks a parsed `If-Match` against the current version, which the caller read under the row's lock (in
 * the transaction that writes), so nobody can change it between the check and the write. No header: any
 * version goes. Throws `stale(currentVersion)`, by default the kit's 412 precondition-failed.
 */
export function checkIfMatch(
  ifMatch: IfMatch | undefined,
  currentVersion: number,
  stale: (currentVersion: number) => AppError = (version) => staleVersion(version),
): void {
  if (ifMatch === undefined || ifMatch === '*') return;
  if (!ifMatch.includes(currentVersion)) throw stale(currentVersion);
}
