import { createHash, randomBytes } from 'node:crypto';

/**
 * A new opaque token (refresh, email verification, password reset): 256 random bits, URL-safe.
 * Only its hash is stored, so a stolen database row cannot be replayed.
 */
export function newOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

// SHA-256 without a salt is enough here, unlike for passwords: the input already has 256 bits of entropy,
// so there is nothing to brute-force, and an unsalted hash lets us look the row up by it directly.
export function hashOpaqueToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
