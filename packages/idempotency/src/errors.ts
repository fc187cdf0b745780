import { ConflictError, ValidationError } from '@mini/http';

/** The same key with another request: a client bug (a reused key), never a retry. */
export const idempotencyKeyReused = () =>
  new ValidationError('This Idempotency-Key was already used for a different request.', {
    code: 'idempotency-key-reused',
    errors: { 'Idempotency-Key': ['Already used with a different request; use a new key'] },
  });

/** The key was taken, then gone before its answer could be read (it expired and was swept meanwhile). */
export const idempotencyKeyBusy = () =>
  new ConflictError('The Idempotency-Key changed state while this request read it; send it again.', {
    code: 'idempotency-key-busy',
    headers: { 'Retry-After': '1' },
  });
