import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { canonicalJson } from '@mini/validation';

export interface IdempotentRequest {
  /** Whose key it is (the caller's user id): two users' keys never meet. */
  owner: string;
  /** The Idempotency-Key header, as validated (`idempotencyKeyHeader` of @mini/validation). */
  key: string;
  /** Hash of method, path and body: the same key may only ever mean the same request. */
  requestHash: string;
}

/**
 * The hash of everything that makes a request what it is: method, path and the validated body as
 * canonical JSON (keys sorted, dates normalised), so a retry that serialises the same body differently is
 * still the same request.
 */
export function requestHash(req: Pick<Request, 'method' | 'baseUrl' | 'path'>, body: unknown): string {
  return createHash('sha256')
    .update(canonicalJson([req.method, req.baseUrl + req.path, body]))
    .digest('hex');
}

/** The request an Idempotency-Key stands for, or undefined when the client sent none. */
export function idempotentRequest(
  req: Pick<Request, 'method' | 'baseUrl' | 'path'>,
  owner: string,
  key: string | undefined,
  body: unknown,
): IdempotentRequest | undefined {
  return key === undefined ? undefined : { owner, key, requestHash: requestHash(req, body) };
}
