import { createHash, createHmac, randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';
import { createHashingGate, type HashingGateOptions } from './hashing-gate.ts';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Accepts hashes made with the current pepper, a previous one, or before peppers (SHA-256 pre-hash). */
  verify(password: string, hash: string): Promise<boolean>;
  /**
   * Whether a hash that just verified should be replaced by a new one: made before the pepper, with a
   * previous pepper, or at another cost than the configured one.
   */
  needsRehash(hash: string): boolean;
  /**
   * Spends the same time as a real verify and returns false. Used when the account does not exist, so
   * that "unknown email" and "wrong password" cannot be told apart by timing.
   */
  verifyAgainstDummy(password: string): Promise<false>;
  /** Throws 503 `busy` when a hash started now would be refused: call it before any other work. */
  assertCapacity(): void;
}

/** The server secrets the pre-hash is keyed with (see passwords/pepper.ts). */
export interface Peppers {
  /** Every new hash is made with this one. */
  current: string;
  /** Hashes made with these still verify, and are rehashed with `current` at their next login. */
  previous?: readonly string[];
}

export interface PasswordHashing {
  /** bcrypt's work factor. */
  cost: number;
  peppers: Peppers;
}

// Stored hashes say how they were made, so the scheme can change without a migration:
//   hmac-sha256:<pepper id>:<bcrypt hash>   bcrypt over HMAC-SHA-256(pepper, password)
//   <bcrypt hash> ($2b$...)                 before the pepper: bcrypt over SHA-256(password)
const PEPPERED = /^hmac-sha256:([0-9a-f]{8}):(\$2[aby]\$.+)$/;
const UNPEPPERED = /^\$2[aby]\$/;

/**
 * Names a pepper in the stored hash, so that verification picks the right one after a rotation. It is a
 * keyed digest of the pepper: 32 bits that say which secret was used without helping anyone guess it.
 */
export function pepperId(pepper: string): string {
  return createHmac('sha256', pepper).update('mini-backends password pepper id').digest('hex').slice(0, 8);
}

/**
 * bcrypt reads only the first 72 bytes of its input: two long passwords sharing a 72-byte prefix would
 * match each other. Pre-hashing (base64: 44 ASCII bytes, no NUL that bcrypt would stop at) makes every
 * byte of a password count. Keying the pre-hash with the pepper (HMAC) means a stolen database alone is
 * useless for guessing: without the pepper, which lives outside the database, no guess can be checked, and
 * lists of leaked plain SHA-256 hashes cannot be matched against ("shucked" from) the bcrypt inputs. NFKC
 * normalisation (NIST SP 800-63B 5.1.1.2) makes the same password typed on two keyboards (composed vs
 * decomposed accents) hash the same.
 */
function pepperedInput(pepper: string, password: string): string {
  return createHmac('sha256', pepper).update(password.normalize('NFKC')).digest('base64');
}

/** The pre-hash of hashes stored before the pepper: verified once more, then replaced at login. */
function unpepperedInput(password: string): string {
  return createHash('sha256').update(password.normalize('NFKC')).digest('base64');
}

/** The two bcrypt functions the hasher calls (tests pass bcrypt wrapped, to see each call). */
export interface Bcrypt {
  hash(data: string, cost: number): Promise<string>;
  compare(data: string, hash: string): Promise<boolean>;
}

/** Without gate options: no gate (command-line tools hash one password at a time). */
export function createPasswordHasher(
  hashing: PasswordHashing,
  gateOptions?: HashingGateOptions,
  implementation: Bcrypt = bcrypt,
): PasswordHasher {
  const { cost } = hashing;
  const current = { id: pepperId(hashing.peppers.current), pepper: hashing.peppers.current };
  const peppers = new Map(
    [hashing.peppers.current, ...(hashing.peppers.previous ?? [])].map((pepper) => [
      pepperId(pepper),
      pepper,
    ]),
  );
  const gate = gateOptions ? createHashingGate(gateOptions) : undefined;
  const gated = <T>(job: () => Promise<T>): Promise<T> => (gate ? gate.run(job) : job());
  // Same cost as real hashes, so the dummy compare takes as long as a real one. Computed once, lazily:
  // the first login pays for it, start-up does not.
  let dummyHash: Promise<string> | undefined;

  return {
    // bcrypt's async functions run on libuv's thread pool: the event loop keeps serving while they hash.
    // Every one passes the gate (503 `busy` when its queue is full), so one thread stays free for the rest.
    async hash(password) {
      const hashed = await gated(() => implementation.hash(pepperedInput(current.pepper, password), cost));
      return `hmac-sha256:${current.id}:${hashed}`;
    },
    verify(password, hash) {
      const peppered = PEPPERED.exec(hash);
      if (peppered) {
        const [, id = '', bcryptHash = ''] = peppered;
        const pepper = peppers.get(id);
        // Made with a pepper this server no longer has: it cannot be checked (see the README on rotation).
        if (pepper === undefined) return Promise.resolve(false);
        return gated(() => implementation.compare(pepperedInput(pepper, password), bcryptHash));
      }
      if (UNPEPPERED.test(hash)) return gated(() => implementation.compare(unpepperedInput(password), hash));
      return Promise.resolve(false);
    },
    needsRehash(hash) {
      const peppered = PEPPERED.exec(hash);
      return !peppered || peppered[1] !== current.id || bcrypt.getRounds(peppered[2] ?? '') !== cost;
    },
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
      await gated(() => implementation.compare(pepperedInput(current.pepper, password), dummy));
      return false;
    },
  };
}

/** The bcrypt cost a stored hash was made at. */
export function hashCost(hash: string): number {
  return bcrypt.getRounds(PEPPERED.exec(hash)?.[2] ?? hash);
}
