import { createHash, randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
  /**
   * Spends the same time as a real verify and returns false. Used when the account does not exist, so
   * that "unknown email" and "wrong password" cannot be told apart by timing.
   */
  verifyAgainstDummy(password: string): Promise<false>;
}

/**
 * bcrypt reads only the first 72 bytes of its input: two long passwords sharing a 72-byte prefix would
 * match each other. Hashing first with SHA-256 (base64: 44 ASCII bytes, no NUL that bcrypt would stop
 * at) makes every byte of a password count. NFKC normalisation (NIST SP 800-63B 5.1.1.2) makes the same
 * password typed on two keyboards (composed vs decomposed accents) hash the same.
 */
function bcryptInput(password: string): string {
  return createHash('sha256').update(password.normalize('NFKC')).digest('base64');
}

export function createPasswordHasher(cost: number): PasswordHasher {
  // Same cost as real hashes, so the dummy compare takes as long as a real one. Computed once, lazily:
  // the first login pays for it, start-up does not.
  let dummyHash: Promise<string> | undefined;

  return {
    // bcrypt's async functions run on libuv's thread pool: the event loop keeps serving while they hash.
    hash: (password) => bcrypt.hash(bcryptInput(password), cost),
    verify: (password, hash) => bcrypt.compare(bcryptInput(password), hash),
    async verifyAgainstDummy(password) {
      dummyHash ??= bcrypt.hash(randomBytes(16).toString('hex'), cost);
      await bcrypt.compare(bcryptInput(password), await dummyHash);
      return false;
    },
  };
}

/** True when a stored hash was made at another cost than the configured one (rehash it on the next login). */
export function hashCost(hash: string): number {
  return bcrypt.getRounds(hash);
}
