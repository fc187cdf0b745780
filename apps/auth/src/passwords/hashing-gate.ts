import { ServiceUnavailableError } from '@mini/http';

export interface HashingGateOptions {
  /** Hashes running at once. Keep it below libuv's thread pool size (UV_THREADPOOL_SIZE, default 4). */
  concurrency: number;
  /** Hashes allowed to wait for a turn; past that the request is refused at once with 503. */
  queueLimit: number;
  /**
   * The longest a hash waits for its turn; then it leaves the queue and the request gets the same 503.
   * Without it, a queue that drains slower than it fills (a slow or shared CPU) makes every login wait
   * seconds behind it, and clients time out instead of being told to retry.
   */
  queueTimeoutMs: number;
}

/**
 * A semaphore in front of bcrypt. bcrypt's async functions run on libuv's thread pool (4 threads unless
 * UV_THREADPOOL_SIZE says otherwise), and so do other things the service needs, notably the PBKDF2 of pg's
 * SCRAM authentication when the pool opens a database connection. Unbounded, a burst of logins queues dozens
 * of hashes on those threads; a new connection's handshake waits behind all of them, misses pg's connection
 * timeout, and every request needing the database fails with a 500. Holding bcrypt to fewer threads than
 * the pool has keeps one free, and a queue bounded in length and in waiting time turns overload into a
 * quick 503 the client can retry.
 */
export function busy(): ServiceUnavailableError {
  return new ServiceUnavailableError('The server is busy checking passwords. Try again in a second.', {
    code: 'busy',
    headers: { 'Retry-After': '1' },
  });
}

export function createHashingGate(options: HashingGateOptions) {
  let running = 0;
  const waiting: (() => void)[] = [];
  const full = () => running >= options.concurrency && waiting.length >= options.queueLimit;

  function release(): void {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }

  return {
    async run<T>(job: () => Promise<T>): Promise<T> {
      if (running < options.concurrency) {
        running++;
      } else if (waiting.length < options.queueLimit) {
        // The slot is handed over directly by release(): `running` stays the same. A waiter that gives up
        // leaves the queue first, so release() never hands a slot to a request that is gone.
        await new Promise<void>((resolve, reject) => {
          const turn = () => {
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(() => {
            waiting.splice(waiting.indexOf(turn), 1);
            reject(busy());
          }, options.queueTimeoutMs);
          waiting.push(turn);
        });
      } else {
        throw busy();
      }
      try {
        return await job();
      } finally {
        release();
      }
    },

    /**
     * Throws the same 503 `busy` as run() would, now, before a request spends any database work on a
     * password check that would be refused anyway. (Only a hint: run() still decides.)
     */
    assertNotFull(): void {
      if (full()) throw busy();
    },

    /** For metrics and tests. */
    stats: () => ({ running, waiting: waiting.length }),
  };
}

export type HashingGate = ReturnType<typeof createHashingGate>;
