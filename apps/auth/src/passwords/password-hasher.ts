import { createHash, randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';
import { createHashingGate, type HashingGateOptions } from './hashing-gate.ts';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
  /**
   * Spends the same time as a real verify and returns false. Used when the account does not exist, so
   * that "unknown email" and "wrong password" cannot be told apart by timing.
   */
  verifyAgainstDummy(password: string): Promise<false>;
  /** Throws 503 `busy` when a hash started now would be refused: call it before any other work. */
  assertCapacity(): void;
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

/** The two bcrypt functions the hasher calls (tests pass bcrypt wrapped, to see each call). */
export interface Bcrypt {
  hash(data: string, cost: number): Promise<string>;
  compare(data: string, hash: string): Promise<boolean>;
}

/** Without options: no gate (command-line tools hash one password at a time). */
export function createPasswordHasher(
  cost: number,
  gateOptions?: HashingGateOptions,
  implementation: Bcrypt = bcrypt,
): PasswordHasher {
  const gate = gateOptions ? createHashingGate(gateOptions) : undefined;
  const gated = <T>(job: () => Promise<T>): Promise<T> => (gate ? gate.run(job) : job());
  // Same cost as real hashes, so the dummy compare takes as long as a real one. Computed once, lazily:
  // the first login pays for it, start-up does not.
  let dummyHash: Promise<string> | undefined;

  return {
    // bcrypt's async functions run on libuv's thread pool: the event loop keeps serving while they hash.
    // Every one passes the gate (503 `busy` when its queue is full), so one thread stays free for the rest.
    hash: (password) => gated(() => implementation.hash(bcryptInput(password), cost)),
    verify: (password, hash) => gated(() => implementation.compare(bcryptInput(password), hash)),
    assertCapacity: () => gate?.assertNotFull(),
    async verifyAgainstDummy(password) {
      dummyHash ??= gated(() => implementation.hash(randomBytes(16).toString('hex'), cost));
      let dummy: string;
      try {
        dummy = await dummyHash;
      } catch (err) {
        dummyHash = undefined; // refused while busy: the next caller tries again
        throw err;
      }
      await gated(() => implementation.compare(bcryptInput(password), dummy));
      return false;
    },
  };
}

/** The cost a stored hash was made at; when it differs from BCRYPT_COST, login rehashes the password. */
export function hashCost(hash: string): number {
  return bcrypt.getRounds(hash);
}
