import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { io as ioClient, type Socket as ClientSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  redisAvailable,
  TEST_REDIS_URL,
  testAuth,
  testUser,
  uniqueSuffix,
  type TestUser,
} from '@mini/testing';
import { collect, nextEvent } from './helpers.ts';

// Two real chat processes (src/server.ts, as `pnpm dev` starts it) sharing a real Redis, with a prefix of
// this run's own so that nothing else on that Redis is touched.
const withRedis = await redisAvailable();
const prefix = `mini-chat-test-${uniqueSuffix()}`;
const SETTLE_MS = 300;

interface ChatProcess {
  url: string;
  child: ChildProcess;
}

async function startProcess(): Promise<ChatProcess> {
  const child = spawn(process.execPath, [new URL('../src/server.ts', import.meta.url).pathname], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DATABASE_URL: inject('databaseUrl'),
      AUTH_ISSUER: testAuth.issuer,
      AUTH_AUDIENCE: testAuth.audience,
      AUTH_PUBLIC_KEY: testAuth.publicKey,
      REDIS_URL: TEST_REDIS_URL,
      SOCKET_REDIS_PREFIX: prefix,
      PRESENCE_GRACE_MS: '200',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    const entry = JSON.parse(line) as { msg?: string; port?: number };
    if (entry.msg === 'listening') return { url: `http://127.0.0.1:${entry.port}`, child };
  }
  throw new Error('the chat process ended before it listened');
}

async function stopProcess({ child }: ChatProcess) {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

describe.runIf(withRedis)('two chat processes sharing Redis', () => {
  let a: ChatProcess;
  let b: ChatProcess;
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    [a, b] = await Promise.all([startProcess(), startProcess()]);
  }, 20_000);

  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await Promise.all([a && stopProcess(a), b && stopProcess(b)]);
    const redis = new Redis(TEST_REDIS_URL);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  function connect(on: ChatProcess, user: TestUser): Promise<ClientSocket> {
    const socket = ioClient(on.url, {
      auth: { token: user.token },
      transports: ['websocket'],
      reconnection: false,
    });
    sockets.push(socket);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', reject);
    });
  }

  async function rest(on: ChatProcess, user: TestUser, method: string, path: string, body?: unknown) {
    const res = await fetch(on.url + path, {
      method,
      headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: res.status === 204 ? null : await res.json() };
  }

  /** A private room of ada and bob, made through process A. */
  async function roomOfTwo() {
    const ada = testUser('ada');
    const bob = testUser('bob');
    const room = (await rest(a, ada, 'POST', '/rooms', { name: 'two', visibility: 'private' })).body as {
      id: string;
    };
    await rest(a, ada, 'POST', `/rooms/${room.id}/members`, { userId: bob.id });
    return { ada, bob, room };
  }

  it('when a message is sent to process A, a member connected to process B receives it', async () => {
    const { ada, bob, room } = await roomOfTwo();
    const adaSocket = await connect(a, ada);
    const bobSocket = await connect(b, bob);
    for (const s of [adaSocket, bobSocket])
      expect(await s.emitWithAck('room:join', { roomId: room.id })).toEqual({ ok: true });
    // Let the processes find each other (the adapter's first heartbeat) before relying on them.
    await delay(SETTLE_MS);

    const arrives = nextEvent(bobSocket, 'message:new', 3_000);
    const ack = await adaSocket.emitWithAck('message:send', {
      roomId: room.id,
      body: 'across',
      clientMessageId: 'x1',
    });
    expect(ack.ok).toBe(true);
    expect(await arrives).toEqual(ack.message);

    // Over REST on B, to a socket on A.
    const adaSees = collect(adaSocket, 'message:new');
    const sent = await rest(b, bob, 'POST', `/rooms/${room.id}/messages`, { body: 'and back' });
    await delay(SETTLE_MS);
    // Ada's own message:new may come after her ack: only Bob's is looked for.
    expect(adaSees).toContainEqual(sent.body);
  });

  it('when a member is kicked through process A, their socket on process B stops receiving the room', async () => {
    const { ada, bob, room } = await roomOfTwo();
    const bobSocket = await connect(b, bob);
    await bobSocket.emitWithAck('room:join', { roomId: room.id });
    await delay(SETTLE_MS);
    const seen = collect(bobSocket, 'message:new');
    expect((await rest(a, ada, 'DELETE', `/rooms/${room.id}/members/${bob.id}`)).status).toBe(204);
    await delay(SETTLE_MS);
    await rest(a, ada, 'POST', `/rooms/${room.id}/messages`, { body: 'not for bob' });
    await delay(SETTLE_MS);
    expect(seen).toEqual([]);
  });

  it('presence counts the sockets of both processes: online once, offline only after the last one', async () => {
    const { ada, bob, room } = await roomOfTwo();
    const watcher = await connect(a, ada);
    await watcher.emitWithAck('room:join', { roomId: room.id });
    await delay(SETTLE_MS);
    const seen = collect(watcher, 'presence');

    const onB = await connect(b, bob);
    await delay(SETTLE_MS);
    const onA = await connect(a, bob);
    await delay(SETTLE_MS);
    expect(seen).toEqual([{ userId: bob.id, status: 'online' }]);

    onB.disconnect();
    await delay(200 + SETTLE_MS);
    expect(seen).toHaveLength(1);

    const offline = nextEvent(watcher, 'presence', 3_000);
    onA.disconnect();
    expect(await offline).toEqual({ userId: bob.id, status: 'offline' });
  });
});
