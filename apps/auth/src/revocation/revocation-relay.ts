import { AsyncResource } from 'node:async_hooks';
import type { Logger } from '@mini/logger';
import type { Config } from '../config.ts';
import type { Database } from '../db.ts';
import { createStore, type Store } from '../repositories.ts';
import type { RevocationOutboxRepository } from './revocation-outbox.repository.ts';
import {
  createRedisRevocationPublisher,
  REVOCATION_SKEW_SECONDS,
  type RevocationPublisher,
} from './revocation-publisher.ts';

/**
 * What the rest of the service sees of revocation publishing: ended sessions are queued in the database (in
 * the transaction that ends them); `nudge()` says "some were just queued".
 */
export interface Revocations {
  /** Sessions were just queued: publish them now rather than at the next poll. Never waits, never throws. */
  nudge(): void;
  /** Resolves when Redis answers: an optional readiness check (a logout works without Redis). */
  ping(): Promise<void>;
}

export interface RevocationRelay extends Revocations {
  /** Starts the loop: polls every `pollIntervalMs`, and at once when nudged or when Redis reconnects. */
  start(): void;
  /**
   * Publishes what is queued now (after a pass already under way); true when the outbox was drained,
   * false when Redis or the database failed (the rows stay queued). For the command-line tools.
   */
  flush(): Promise<boolean>;
  /** Stops the loop, waits for a pass under way, and closes the publisher's connection. */
  stop(): Promise<void>;
}

export interface RevocationRelayOptions {
  /** The outbox (store.repos.revocationOutbox), and the transaction each batch is published in. */
  store: Store;
  publisher: RevocationPublisher;
  logger: Logger;
  /** Access token lifetime: queued sessions older than this (+ the skew margin) are dropped, not published. */
  accessTokenTtlSeconds: number;
  /** How often the outbox is read when nothing nudged the relay (rows left by another process). */
  pollIntervalMs: number;
  /** Longest pause between attempts while publishing fails (attempts start 100 ms apart and double). */
  retryMaxMs: number;
  /** Sessions per Redis transaction. Default 500. */
  batchSize?: number;
}

/** Without Redis the other services cannot hear about revocations: the access token's short life is the bound. */
export const noRevocations: Revocations = { nudge: () => {}, ping: async () => {} };

const FIRST_RETRY_MS = 100;

/**
 * Drops queued revocations older than an access token's lifetime (+ the margin the Redis entries get for
 * clock skew): every token of those sessions has expired, so publishing them would stop nothing. The
 * relay runs it before each pass; the hourly purge too, for a service running without Redis.
 */
export function pruneExpiredRevocations(
  outbox: Pick<RevocationOutboxRepository, 'pruneQueuedBefore'>,
  accessTokenTtlSeconds: number,
): Promise<number> {
  return outbox.pruneQueuedBefore(
    new Date(Date.now() - (accessTokenTtlSeconds + REVOCATION_SKEW_SECONDS) * 1000),
  );
}

/**
 * The transactional outbox's relay: publishes queued revocations to Redis and deletes what it published.
 * When Redis is down, logouts still answer at once and their revocations wait in the table; the relay retries
 * with back-off (and at once when the Redis client reconnects), so every logout reaches the other services
 * within moments of Redis returning. Several auth processes may run a relay on the same table (see
 * `take` of the outbox repository). One pass at a time per process.
 */
export function createRevocationRelay(options: RevocationRelayOptions): RevocationRelay {
  const { store, publisher, logger } = options;
  const outbox = store.repos.revocationOutbox;
  const batchSize = options.batchSize ?? 500;
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let pass: Promise<boolean> | undefined;
  let again = false;
  let failures = 0;

  /** Publishes everything queued; returns how many. Throws when Redis or the database fails. */
  async function drain(): Promise<number> {
    const pruned = await pruneExpiredRevocations(outbox, options.accessTokenTtlSeconds);
    if (pruned > 0) {
      logger.warn(
        { pruned },
        'dropped queued revocations older than an access token: their tokens have expired anyway',
      );
    }
    let published = 0;
    for (;;) {
      const count = await publishBatch();
      published += count;
      if (count < batchSize) return published;
    }
  }

  /**
   * Takes a batch (rows no other process holds), publishes it, and deletes it once published, all in one
   * transaction: if publishing throws, nothing is deleted and the rows stay queued.
   */
  function publishBatch(): Promise<number> {
    return store.transaction(async (tx) => {
      const ids = await tx.revocationOutbox.take(batchSize);
      if (ids.length === 0) return 0;
      await publisher.publish(ids);
      await tx.revocationOutbox.remove(ids);
      return ids.length;
    });
  }

  function schedule(): void {
    clearTimeout(timer);
    if (!running) return;
    const delay =
      failures === 0
        ? options.pollIntervalMs
        : Math.min(FIRST_RETRY_MS * 2 ** (failures - 1), options.retryMaxMs);
    timer = setTimeout(() => void runPass(), delay);
    // Never keeps the process alive on its own.
    timer.unref();
  }

  function runPass(): Promise<boolean> {
    if (pass) {
      // Something was queued while a pass runs: it may have read the table already, so go once more.
      again = true;
      return pass;
    }
    pass = (async () => {
      try {
        let published = 0;
        do {
          again = false;
          published += await drain();
        } while (again);
        if (failures > 0) {
          logger.info({ published, attempts: failures + 1 }, 'queued revocations published');
        }
        failures = 0;
        return true;
      } catch (err) {
        failures += 1;
        if (failures === 1) {
          logger.warn({ err }, 'could not publish revocations; they stay queued and are retried');
        }
        return false;
      } finally {
        pass = undefined;
        schedule();
      }
    })();
    return pass;
  }

  // A pass started by a request's nudge would otherwise run (and schedule its retries) in that request's
  // logging context: every later line of the relay would carry that request's id.
  const runPassOutsideRequest = AsyncResource.bind(() => void runPass());

  // Redis is back: what waited goes now, not at the end of the back-off.
  publisher.onReady?.(() => {
    if (running && failures > 0) runPassOutsideRequest();
  });

  return {
    nudge() {
      // While failing, the back-off timer (or Redis reconnecting) decides when to try again: a burst of
      // logouts during an outage must not turn into a burst of doomed attempts.
      if (failures === 0) runPassOutsideRequest();
    },
    ping: () => publisher.ping(),
    start() {
      if (running) return;
      running = true;
      void runPass();
    },
    flush: () => runPass(),
    async stop() {
      running = false;
      clearTimeout(timer);
      await pass;
      await publisher.close();
    },
  };
}

/** The relay server.ts and the create-admin command run: undefined without REDIS_URL. */
export function revocationRelayFromConfig(
  config: Pick<
    Config,
    | 'REDIS_URL'
    | 'REDIS_TIMEOUT_MS'
    | 'ACCESS_TOKEN_TTL_SECONDS'
    | 'REVOCATION_OUTBOX_POLL_MS'
    | 'REVOCATION_RETRY_MAX_MS'
  >,
  db: Database,
  logger: Logger,
): RevocationRelay | undefined {
  if (config.REDIS_URL === undefined) return undefined;
  return createRevocationRelay({
    store: createStore(db),
    publisher: createRedisRevocationPublisher({
      redisUrl: config.REDIS_URL,
      ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
      timeoutMs: config.REDIS_TIMEOUT_MS,
      logger,
    }),
    logger,
    accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    pollIntervalMs: config.REVOCATION_OUTBOX_POLL_MS,
    retryMaxMs: config.REVOCATION_RETRY_MAX_MS,
  });
}
