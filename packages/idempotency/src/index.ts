export { idempotencyKeyBusy, idempotencyKeyReused } from './errors.ts';
export { idempotent, type IdempotentOptions, type IdempotentResult } from './idempotent.ts';
export { idempotencyKeys, type IdempotencyKeys, type RawSqlClient, type StoredAnswer } from './repository.ts';
export { idempotentRequest, requestHash, type IdempotentRequest } from './request.ts';
export { purgeExpiredIdempotencyKeys, type SweepLogger } from './sweep.ts';

/** The response header of a replayed answer, for a route's `responses[status].headers`. */
export const idempotentReplayedHeader = {
  description: '`true` when this is the stored answer to an earlier request with the same key.',
};
