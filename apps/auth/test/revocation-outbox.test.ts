import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { captureLogs, type ServiceTestDatabase, startTcpProxy } from '@mini/testing';
import { connectDatabase, type Database } from '../src/db.ts';
import { createStore } from '../src/repositories.ts';
import {
  createRedisRevocationPublisher,
  type RevocationPublisher,
} from '../src/revocation/revocation-publisher.ts';
import { createRevocationRelay, type RevocationRelay } from '../src/revocation/revocation-relay.ts';
import { runWithContext } from '@mini/logger';
import { ownTestDatabase, testLogger } from './helpers.ts';

// The relay drains the whole outbox table: this file has a database of its own, and its relays use
// publishers that record what they were given instead of Redis (the Redis side is revocation.test.ts).
let database: ServiceTestDatabase;
let db: Database;
const relays: RevocationRelay[] = [];
beforeAll(async () => {
  database = await ownTestDatabase();
  db = connectDatabase(database.databaseUrl, testLogger);
});
afterAll(async () => {
  await Promise.all(relays.map((relay) => relay.stop()));
  await db?.close();
  await database?.teardown();
});

const TTL_SECONDS = 900;

function recordingPublisher() {
  let onReady: (() => void) | undefined;
  const publisher = {
    published: [] as string[],
    attempts: [] as number[],
    failing: false,
    /** While set, publish waits for it (holding its rows). */
    gate: undefined as Promise<void> | undefined,
    async publish(sessionIds: readonly string[]) {
      publisher.attempts.push(Date.now());
      if (publisher.gate) await publisher.gate;
      if (publisher.failing) throw new Error('redis unreachable');
      publisher.published.push(...sessionIds);
    },
    ping: async () => {},
    onReady: (listener: () => void) => void (onReady = listener),
    close: async () => {},
    /** What ioredis does when the connection is back. */
    reconnected: () => onReady?.(),
  } satisfies RevocationPublisher & Record<string, unknown>;
  return publisher;
}

function relayWith(
  publisher: RevocationPublisher,
  options: { batchSize?: number; retryMaxMs?: number; logger?: typeof testLogger } = {},
) {
  const relay = createRevocationRelay({
    store: createStore(db),
    publisher,
    logger: options.logger ?? testLogger,
    accessTokenTtlSeconds: TTL_SECONDS,
    pollIntervalMs: 60_000,
    retryMaxMs: options.retryMaxMs ?? 60_000,
    ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
  });
  relays.push(relay);
  return relay;
}

async function queue(count: number, createdAt = new Date()): Promise<string[]> {
  const ids = Array.from({ length: count }, () => randomUUID());
  await db.prisma.revocationOutbox.createMany({ data: ids.map((sessionId) => ({ sessionId, createdAt })) });
  return ids;
}

const stillQueued = async (ids: string[]) =>
  (await db.prisma.revocationOutbox.findMany({ where: { sessionId: { in: ids } } })).map((r) => r.sessionId);

describe('revocation relay', () => {
  it('publishes what is queued and deletes it from the outbox', async () => {
    const publisher = recordingPublisher();
    const ids = await queue(3);
    expect(await relayWith(publisher).flush()).toBe(true);
    expect(publisher.published).toEqual(expect.arrayContaining(ids));
    expect(await stillQueued(ids)).toEqual([]);
  });

  it('when publishing fails, the sessions stay queued, and a later pass publishes them', async () => {
    const publisher = recordingPublisher();
    const relay = relayWith(publisher);
    const ids = await queue(2);
    publisher.failing = true;
    expect(await relay.flush()).toBe(false);
    expect((await stillQueued(ids)).sort()).toEqual([...ids].sort());

    publisher.failing = false;
    expect(await relay.flush()).toBe(true);
    expect(publisher.published).toEqual(expect.arrayContaining(ids));
    expect(await stillQueued(ids)).toEqual([]);
  });

  it('when two relays drain the same outbox, each session is published once, and neither waits for rows the other holds', async () => {
    const ids = await queue(30);
    const slow = recordingPublisher();
    let release = () => {};
    slow.gate = new Promise<void>((resolve) => (release = resolve));
    const fast = recordingPublisher();

    // The first relay takes a batch of 10 and hangs in the middle of publishing it (rows locked) ...
    const slowPass = relayWith(slow, { batchSize: 10 }).flush();
    await vi.waitFor(() => expect(slow.attempts).toHaveLength(1));
    // ... the second one publishes the 20 others meanwhile: SKIP LOCKED, not a wait behind the first.
    expect(await relayWith(fast, { batchSize: 10 }).flush()).toBe(true);
    const mine = (published: string[]) => published.filter((id) => ids.includes(id));
    expect(mine(fast.published)).toHaveLength(20);
    expect((await stillQueued(ids)).sort()).toEqual(ids.filter((id) => !fast.published.includes(id)).sort());

    release();
    expect(await slowPass).toBe(true);
    expect(mine(slow.published)).toHaveLength(10);
    expect(new Set([...mine(slow.published), ...mine(fast.published)]).size).toBe(30);
    expect(await stillQueued(ids)).toEqual([]);
  });

  it('drops queued sessions older than an access token lifetime (plus the skew margin) without publishing them', async () => {
    const publisher = recordingPublisher();
    const expired = await queue(1, new Date(Date.now() - (TTL_SECONDS + 120) * 1000));
    const recent = await queue(1, new Date(Date.now() - (TTL_SECONDS - 120) * 1000));
    expect(await relayWith(publisher).flush()).toBe(true);
    expect(publisher.published).toEqual(expect.arrayContaining(recent));
    expect(publisher.published).not.toEqual(expect.arrayContaining(expired));
    expect(await stillQueued([...expired, ...recent])).toEqual([]);
  });

  it('while publishing fails it retries with growing pauses, and at once when Redis reconnects', async () => {
    const publisher = recordingPublisher();
    const relay = relayWith(publisher, { retryMaxMs: 60_000 });
    const ids = await queue(1);
    publisher.failing = true;
    relay.start();
    // Attempts at 0, then after 100, 200 and 400 ms (timers are never early: these are lower bounds).
    await vi.waitFor(() => expect(publisher.attempts.length).toBeGreaterThanOrEqual(4), { timeout: 5000 });
    const [a0 = 0, a1 = 0, a2 = 0, a3 = 0] = publisher.attempts;
    expect(a1 - a0).toBeGreaterThanOrEqual(95);
    expect(a2 - a1).toBeGreaterThanOrEqual(195);
    expect(a3 - a2).toBeGreaterThanOrEqual(395);
    // A logout during the outage does not trigger a doomed attempt of its own.
    relay.nudge();
    await sleep(20);
    expect(publisher.attempts).toHaveLength(4);

    // The next timed attempt is 800 ms away; the reconnection triggers one now.
    publisher.failing = false;
    publisher.reconnected();
    await vi.waitFor(async () => expect(await stillQueued(ids)).toEqual([]), { timeout: 5000, interval: 10 });
    expect(publisher.attempts).toHaveLength(5);
    expect(publisher.attempts[4]).toBeLessThan(a3 + 800);
  });
});

describe('revocation relay logs', () => {
  it('when a request nudges it, its lines do not carry that request id (the relay is not part of the request)', async () => {
    const publisher = recordingPublisher();
    publisher.failing = true;
    const logs = captureLogs('info');
    const relay = relayWith(publisher, { logger: logs.logger });
    await queue(1);
    runWithContext({ requestId: 'logout-request' }, () => relay.nudge());
    await vi.waitFor(() =>
      expect(logs.entries().map((entry) => entry.msg)).toContain(
        'could not publish revocations; they stay queued and are retried',
      ),
    );
    expect(logs.text()).not.toContain('logout-request');
    publisher.failing = false;
    expect(await relay.flush()).toBe(true);
  });
});

describe('Redis revocation publisher', () => {
  // No Redis needed: the proxy refuses, or accepts and never answers, whatever is behind it.
  it.each([
    ['refuses connections', 'refuse'],
    ['accepts but never answers', 'blackhole'],
  ] as const)(
    'when Redis %s, publish and ping fail within the timeout instead of hanging',
    async (_how, mode) => {
      const proxy = await startTcpProxy({ host: '127.0.0.1', port: 9 });
      if (mode === 'refuse') await proxy.setMode('refuse');
      else await proxy.setMode('blackhole');
      const publisher = createRedisRevocationPublisher({
        redisUrl: proxy.urlFor('redis://127.0.0.1'),
        ttlSeconds: TTL_SECONDS,
        timeoutMs: 300,
        logger: testLogger,
      });
      try {
        const started = Date.now();
        await expect(publisher.publish([randomUUID()])).rejects.toThrow();
        await expect(publisher.ping()).rejects.toThrow();
        // Before: 8.9 s against a refusing Redis, over 20 s against a silent one.
        expect(Date.now() - started).toBeLessThan(3000);
      } finally {
        await publisher.close();
        await proxy.close();
      }
    },
  );
});
