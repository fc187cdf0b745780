import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { asUser, testUser, tokenFor, useTestApp } from '@mini/testing';
import { collect, createRoom, invite, nextEvent, startChatServer } from './helpers.ts';

const ctx = useTestApp(() => startChatServer());

/** Long enough for an event that is on its way to arrive on loopback. */
const SETTLE_MS = 200;

describe('handshake', () => {
  it('when there is no token or a bad one, the connection is refused with unauthorized; a valid token connects', async () => {
    const user = testUser();
    for (const who of [null, { token: 'not-a-jwt' }, { token: tokenFor({ expiresIn: -10 }) }]) {
      const err = await ctx.connect(who).then(
        () => null,
        (e: Error & { data?: { code: string } }) => e,
      );
      expect(err?.data?.code).toBe('unauthorized');
    }
    const socket = await ctx.connect(user);
    expect(socket.connected).toBe(true);
  });

  it('when the token expires, the socket is disconnected', async () => {
    const socket = await ctx.connect({ token: tokenFor({ expiresIn: 1 }) });
    // Under load the token may be (within the verifier's clock leeway) expired already: the disconnect then
    // arrives with the connect.
    if (socket.connected) await nextEvent<string>(socket, 'disconnect', 3_000);
    expect(socket.connected).toBe(false);
  });
});

describe('rooms over the socket', () => {
  it('when a non-member joins a private room, the ack is room-not-found and none of its events reach them', async () => {
    const ada = testUser('ada');
    const room = await createRoom(ctx.app, ada, { visibility: 'private' });
    const outsider = await ctx.connect(testUser('outsider'));
    const ack = await outsider.emitWithAck('room:join', { roomId: room.id });
    expect(ack).toEqual({ ok: false, error: { code: 'room-not-found', message: 'The room was not found.' } });

    const seen = collect(outsider, 'message:new');
    const adaSocket = await ctx.connect(ada);
    expect(await adaSocket.emitWithAck('room:join', { roomId: room.id })).toEqual({ ok: true });
    const sent = await adaSocket.emitWithAck('message:send', {
      roomId: room.id,
      body: 'secret',
      clientMessageId: 'c1',
    });
    expect(sent.ok).toBe(true);
    await delay(SETTLE_MS);
    expect(seen).toEqual([]);
  });

  it('when someone joins a public room over the socket, they become a member', async () => {
    const ada = testUser('ada');
    const bob = testUser('bob');
    const room = await createRoom(ctx.app, ada, { visibility: 'public' });
    const socket = await ctx.connect(bob);
    expect(await socket.emitWithAck('room:join', { roomId: room.id })).toEqual({ ok: true });
    expect((await asUser(ctx.app, bob).get(`/rooms/${room.id}`)).body.role).toBe('member');
  });

  it('when a payload is invalid, the ack is validation-failed and the socket stays usable', async () => {
    const socket = await ctx.connect(testUser());
    for (const payload of [{ roomId: 'nope' }, { roomId: crypto.randomUUID(), extra: 1 }, 'text']) {
      const ack = await socket.emitWithAck('room:join', payload);
      expect(ack.ok).toBe(false);
      expect(ack.error.code).toBe('validation-failed');
    }
    const tooLong = await socket.emitWithAck('message:send', {
      roomId: crypto.randomUUID(),
      body: 'x'.repeat(4_001),
    });
    expect(tooLong.error.code).toBe('validation-failed');
    expect(socket.connected).toBe(true);
  });
});

describe('membership events', () => {
  it('when someone joins, is invited or leaves, the sockets in the room get member:joined and member:left', async () => {
    const ada = testUser('ada');
    const bob = testUser('bob');
    const carol = testUser('carol');
    const room = await createRoom(ctx.app, ada, { visibility: 'public' });
    const adaSocket = await ctx.connect(ada);
    await adaSocket.emitWithAck('room:join', { roomId: room.id });

    const bobJoined = nextEvent(adaSocket, 'member:joined');
    const bobSocket = await ctx.connect(bob);
    await bobSocket.emitWithAck('room:join', { roomId: room.id });
    expect(await bobJoined).toMatchObject({ roomId: room.id, userId: bob.id, role: 'member' });

    const carolJoined = nextEvent(adaSocket, 'member:joined');
    await invite(ctx.app, ada, room.id, carol, 'admin');
    expect(await carolJoined).toMatchObject({ roomId: room.id, userId: carol.id, role: 'admin' });

    const seenByAda = nextEvent(adaSocket, 'member:left');
    const seenByBob = nextEvent(bobSocket, 'member:left');
    expect((await asUser(ctx.app, bob).delete(`/rooms/${room.id}/members/${bob.id}`)).status).toBe(204);
    expect(await seenByAda).toEqual({ roomId: room.id, userId: bob.id });
    expect(await seenByBob).toEqual({ roomId: room.id, userId: bob.id });
  });
});

describe('messages over the socket', () => {
  it('when a member sends, the ack carries the stored message and the other members get message:new', async () => {
    const ada = testUser('ada');
    const bob = testUser('bob');
    const room = await createRoom(ctx.app, ada, { visibility: 'private' });
    await invite(ctx.app, ada, room.id, bob);
    const adaSocket = await ctx.connect(ada);
    const bobSocket = await ctx.connect(bob);
    for (const s of [adaSocket, bobSocket]) await s.emitWithAck('room:join', { roomId: room.id });

    const arrives = nextEvent(bobSocket, 'message:new');
    const ack = await adaSocket.emitWithAck('message:send', {
      roomId: room.id,
      body: 'hello',
      clientMessageId: 'm1',
    });
    expect(ack).toMatchObject({
      ok: true,
      message: { roomId: room.id, authorId: ada.id, body: 'hello', clientMessageId: 'm1' },
    });
    expect(await arrives).toEqual(ack.message);

    // The resend after a reconnect: the same message, and nobody is told twice.
    const seen = collect(bobSocket, 'message:new');
    const again = await adaSocket.emitWithAck('message:send', {
      roomId: room.id,
      body: 'hello',
      clientMessageId: 'm1',
    });
    expect(again.message.id).toBe(ack.message.id);
    await delay(SETTLE_MS);
    expect(seen).toEqual([]);
    const history = await asUser(ctx.app, bob).get(`/rooms/${room.id}/messages`);
    expect(history.body.items.map((m: { id: string }) => m.id)).toEqual([ack.message.id]);
  });

  it('when a message is sent, edited and deleted over REST, the sockets get message:new, message:edited and message:deleted', async () => {
    const ada = testUser('ada');
    const room = await createRoom(ctx.app, ada, { visibility: 'public' });
    const watcher = await ctx.connect(testUser('watcher'));
    await watcher.emitWithAck('room:join', { roomId: room.id });

    const created = nextEvent(watcher, 'message:new');
    const sent = await asUser(ctx.app, ada).post(`/rooms/${room.id}/messages`).send({ body: 'v1' });
    expect(await created).toEqual(sent.body);
    const edited = nextEvent(watcher, 'message:edited');
    await asUser(ctx.app, ada).patch(`/rooms/${room.id}/messages/${sent.body.id}`).send({ body: 'v2' });
    expect(await edited).toMatchObject({ id: sent.body.id, body: 'v2' });
    const deleted = nextEvent(watcher, 'message:deleted');
    await asUser(ctx.app, ada).delete(`/rooms/${room.id}/messages/${sent.body.id}`);
    expect(await deleted).toEqual({ id: sent.body.id, roomId: room.id });
  });

  it("when a member is kicked, none of their sockets gets the room's events any more, and they cannot send", async () => {
    const ada = testUser('ada');
    const bob = testUser('bob');
    const room = await createRoom(ctx.app, ada, { visibility: 'private' });
    await invite(ctx.app, ada, room.id, bob);
    const tabs = [await ctx.connect(bob), await ctx.connect(bob)];
    for (const tab of tabs) await tab.emitWithAck('room:join', { roomId: room.id });
    const seen = tabs.map((tab) => collect(tab, 'message:new'));

    expect((await asUser(ctx.app, ada).delete(`/rooms/${room.id}/members/${bob.id}`)).status).toBe(204);
    await asUser(ctx.app, ada).post(`/rooms/${room.id}/messages`).send({ body: 'after the kick' });
    await delay(SETTLE_MS);
    expect(seen).toEqual([[], []]);
    const ack = await tabs[0]!.emitWithAck('message:send', { roomId: room.id, body: 'let me in' });
    expect(ack.error.code).toBe('room-not-found');
  });

  it('when a socket leaves a room, it no longer gets its events but stays a member', async () => {
    const ada = testUser('ada');
    const room = await createRoom(ctx.app, ada, { visibility: 'public' });
    const socket = await ctx.connect(ada);
    await socket.emitWithAck('room:join', { roomId: room.id });
    expect(await socket.emitWithAck('room:leave', { roomId: room.id })).toEqual({ ok: true });
    const seen = collect(socket, 'message:new');
    await asUser(ctx.app, ada).post(`/rooms/${room.id}/messages`).send({ body: 'quiet' });
    await delay(SETTLE_MS);
    expect(seen).toEqual([]);
    expect((await asUser(ctx.app, ada).get(`/rooms/${room.id}`)).body.role).toBe('owner');
  });
});
