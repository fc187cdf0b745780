import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { asUser, testUser, useTestApp } from '@mini/testing';
import { collect, createRoom, invite, nextEvent, startChatServer } from './helpers.ts';

// Small limits and a short presence grace, so that each rule shows within a test.
const ctx = useTestApp(() =>
  startChatServer({
    SOCKET_SENDS_PER_10S: '3',
    SOCKET_MAX_ROOMS: '2',
    TYPING_THROTTLE_MS: '60000',
    PRESENCE_GRACE_MS: '300',
  }),
);

const SETTLE_MS = 200;

async function roomOfTwo() {
  const ada = testUser('ada');
  const bob = testUser('bob');
  const room = await createRoom(ctx.app, ada, { visibility: 'private' });
  await invite(ctx.app, ada, room.id, bob);
  return { ada, bob, room };
}

describe('typing', () => {
  it('when a member types, the others in the room get typing once per throttle period, the typist never', async () => {
    const { ada, bob, room } = await roomOfTwo();
    const adaSocket = await ctx.connect(ada);
    const bobSocket = await ctx.connect(bob);
    for (const s of [adaSocket, bobSocket]) await s.emitWithAck('room:join', { roomId: room.id });
    const bobSees = collect(bobSocket, 'typing');
    const adaSees = collect(adaSocket, 'typing');
    for (let i = 0; i < 3; i++)
      expect(await adaSocket.emitWithAck('typing', { roomId: room.id })).toEqual({ ok: true });
    await delay(SETTLE_MS);
    expect(bobSees).toEqual([{ roomId: room.id, userId: ada.id }]);
    expect(adaSees).toEqual([]);
  });

  it('when the socket has not joined the room, typing is refused with not-joined', async () => {
    const { ada, room } = await roomOfTwo();
    const socket = await ctx.connect(ada);
    const ack = await socket.emitWithAck('typing', { roomId: room.id });
    expect(ack.error.code).toBe('not-joined');
  });
});

describe('read receipts', () => {
  it('when a member reads over the socket or REST, the room gets read with who and up to which message', async () => {
    const { ada, bob, room } = await roomOfTwo();
    const adaSocket = await ctx.connect(ada);
    const bobSocket = await ctx.connect(bob);
    for (const s of [adaSocket, bobSocket]) await s.emitWithAck('room:join', { roomId: room.id });
    const m1 = (await asUser(ctx.app, ada).post(`/rooms/${room.id}/messages`).send({ body: 'one' })).body;
    const m2 = (await asUser(ctx.app, ada).post(`/rooms/${room.id}/messages`).send({ body: 'two' })).body;

    const receipt = nextEvent(adaSocket, 'read');
    expect(await bobSocket.emitWithAck('read', { roomId: room.id, messageId: m1.id })).toEqual({
      ok: true,
      unreadCount: 1,
    });
    expect(await receipt).toEqual({ roomId: room.id, userId: bob.id, messageId: m1.id });

    const viaRest = nextEvent(adaSocket, 'read');
    await asUser(ctx.app, bob).post(`/rooms/${room.id}/read`).send({ messageId: m2.id });
    expect(await viaRest).toEqual({ roomId: room.id, userId: bob.id, messageId: m2.id });

    // Reading an older message moves nothing, so nobody is told.
    const seen = collect(adaSocket, 'read');
    await bobSocket.emitWithAck('read', { roomId: room.id, messageId: m1.id });
    await delay(SETTLE_MS);
    expect(seen).toEqual([]);
  });
});

describe('limits', () => {
  it('when a socket sends more than its rate allows, the extra sends are refused with rate-limited and not stored', async () => {
    const { ada, room } = await roomOfTwo();
    const socket = await ctx.connect(ada);
    const acks = [];
    for (let i = 0; i < 5; i++)
      acks.push(await socket.emitWithAck('message:send', { roomId: room.id, body: `m${i}` }));
    expect(acks.map((a) => a.ok)).toEqual([true, true, true, false, false]);
    expect(acks[3].error.code).toBe('rate-limited');
    const history = await asUser(ctx.app, ada).get(`/rooms/${room.id}/messages`);
    expect(history.body.items).toHaveLength(3);
    // The limit is the socket's: another connection of the same user may still send.
    const other = await ctx.connect(ada);
    expect((await other.emitWithAck('message:send', { roomId: room.id, body: 'other tab' })).ok).toBe(true);
  });

  it('when a socket joins more rooms than allowed, the next join is refused with too-many-rooms', async () => {
    const ada = testUser('ada');
    const socket = await ctx.connect(ada);
    const rooms = [
      await createRoom(ctx.app, ada),
      await createRoom(ctx.app, ada),
      await createRoom(ctx.app, ada),
    ];
    expect((await socket.emitWithAck('room:join', { roomId: rooms[0]!.id })).ok).toBe(true);
    expect((await socket.emitWithAck('room:join', { roomId: rooms[1]!.id })).ok).toBe(true);
    // Joining one it is already in again is fine.
    expect((await socket.emitWithAck('room:join', { roomId: rooms[1]!.id })).ok).toBe(true);
    const ack = await socket.emitWithAck('room:join', { roomId: rooms[2]!.id });
    expect(ack.error.code).toBe('too-many-rooms');
    await socket.emitWithAck('room:leave', { roomId: rooms[0]!.id });
    expect((await socket.emitWithAck('room:join', { roomId: rooms[2]!.id })).ok).toBe(true);
  });

  it('when a packet is larger than the socket limit, the server closes that socket', async () => {
    const socket = await ctx.connect(testUser());
    const closed = nextEvent<string>(socket, 'disconnect');
    socket.emit('message:send', { roomId: crypto.randomUUID(), body: 'x'.repeat(100_000) });
    expect(await closed).toBe('transport close');
  });
});

describe('presence', () => {
  it('online with the first socket, still online while another tab is open, offline after the last one and the grace period', async () => {
    const { ada, bob, room } = await roomOfTwo();
    const watcher = await ctx.connect(ada);
    await watcher.emitWithAck('room:join', { roomId: room.id });
    const seen = collect(watcher, 'presence');

    const tab1 = await ctx.connect(bob);
    const tab2 = await ctx.connect(bob);
    await delay(SETTLE_MS);
    expect(seen).toEqual([{ userId: bob.id, status: 'online' }]);

    tab1.disconnect();
    await delay(300 + SETTLE_MS);
    expect(seen).toHaveLength(1);

    const offline = nextEvent(watcher, 'presence');
    tab2.disconnect();
    expect(await offline).toEqual({ userId: bob.id, status: 'offline' });
  });

  it('when the user comes back within the grace period (a reload), nobody sees them go offline', async () => {
    const { ada, bob, room } = await roomOfTwo();
    const watcher = await ctx.connect(ada);
    await watcher.emitWithAck('room:join', { roomId: room.id });
    const first = await ctx.connect(bob);
    await delay(SETTLE_MS);
    const seen = collect(watcher, 'presence');
    first.disconnect();
    await ctx.connect(bob);
    await delay(300 + SETTLE_MS);
    expect(seen).toEqual([]);
  });
});
