import type { Store } from '@mini/db';
import { idempotencyKeyBusy, idempotencyKeyReused } from './errors.ts';
import type { IdempotencyKeys } from './repository.ts';
import type { IdempotentRequest } from './request.ts';

export interface IdempotentOptions<R, T> {
  /** How long a stored answer replays; after that the key is free for any request. */
  ttlMs: number;
  /** The work, in the transaction that claims the key: both commit, or neither. */
  perform: (tx: R) => Promise<T>;
  /** The status stored with the answer (and given back on a replay). Default 201. */
  status?: number;
  /**
   * Runs before a replay is answered, outside the transaction: an authorization check, since a replay
   * shows the stored answer (tasks: the caller must still be able to read the project, 404 otherwise).
   */
  beforeReplay?: (repos: R) => Promise<void>;
  /** The stored JSON back into a T (dates are strings in JSON). Default: the JSON as it is. */
  revive?: (body: unknown) => T;
}

export interface IdempotentResult<T> {
  value: T;
  status: number;
  /** True when this is the stored answer of an earlier request with the same key: send `Idempotent-Replayed: true`. */
  replayed: boolean;
}

/**
 * Runs `perform` at most once per Idempotency-Key (draft-ietf-httpapi-idempotency-key-header):
 *
 * - the key is claimed in the transaction that does the work, so the answer is stored if and only if the
 *   work committed: a failed request leaves the key free for its retry;
 * - a retry with the same key and the same request (same hash) gets the stored answer, replayed;
 * - the same key with another request is 422 idempotency-key-reused;
 * - a concurrent retry (the first still running) waits for the first to finish, then replays its answer
 *   (or, if the first failed, does the work itself): it never answers 409 while the first is in flight, so
 *   a client retrying on a timeout gets the real answer. 409 idempotency-key-busy (with Retry-After) is only
 *   for a key that expired and was swept between the claim and the read;
 * - after `ttlMs` the key is free again (and the hourly sweep deletes it).
 *
 * Without a key (`request` undefined) the work simply runs in a transaction.
 */
export async function idempotent<R extends { idempotency: IdempotencyKeys }, T>(
  store: Store<R>,
  request: IdempotentRequest | undefined,
  options: IdempotentOptions<R, T>,
): Promise<IdempotentResult<T>> {
  const status = options.status ?? 201;
  if (request === undefined) {
    return { value: await store.transaction(options.perform), status, replayed: false };
  }
  const { owner, key, requestHash } = request;
  const cutoff = new Date(Date.now() - options.ttlMs);
  const outcome = await store.transaction(async (tx) => {
    await tx.idempotency.deleteIfOlderThan(owner, key, cutoff);
    if (!(await tx.idempotency.claim(owner, key, requestHash))) return { claimed: false } as const;
    const value = await options.perform(tx);
    // Stored as the client receives it: JSON (dates as ISO strings).
    await tx.idempotency.saveAnswer(owner, key, status, JSON.parse(JSON.stringify(value ?? null)));
    return { claimed: true, value } as const;
  });
  if (outcome.claimed) return { value: outcome.value, status, replayed: false };

  await options.beforeReplay?.(store.repos);
  const stored = await store.repos.idempotency.find(owner, key);
  if (!stored) throw idempotencyKeyBusy();
  if (stored.requestHash !== requestHash) throw idempotencyKeyReused();
  const value = options.revive ? options.revive(stored.body) : (stored.body as T);
  return { value, status: stored.status, replayed: true };
}
