import { describe, expect, it } from 'vitest';
import { asUser, testUser, useTestApp, type TestUser } from '@mini/testing';
import { chatTestApp, createRoom, invite } from './helpers.ts';

const ctx = useTestApp(() => chatTestApp.build());

async function send(user: TestUser, roomId: string, body: string, clientMessageId?: string) {
  const res = await asUser(ctx.app, user)
    .post(`/rooms/${roomId}/messages`)
    .send({ body, ...(clientMessageId ? { clientMessageId } : {}) });
  if (res.status !== 201) throw new Error(`send: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; body: string };
}

/** A room of ada (owner) and bob (member). */
async function roomOfTwo(visibility: 'public' | 'private' = 'private') {
  const ada = testUser('ada');
  const bob = testUser('bob');
  const room = await createRoom(ctx.app, ada, { visibility });
  await invite(ctx.app, ada, room.id, bob);
  return { ada, bob, room };
}

describe('sending', () => {
  it('when a member sends a message, returns 201 with it, and the history shows it', async () => {
    const { ada, bob, room } = await roomOfTwo();
    const res = await asUser(ctx.app, bob).post(`/rooms/${room.id}/messages`).send({ body: 'hello' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      roomId: room.id,
      authorId: bob.id,
      body: 'hello',
      editedAt: null,
      deletedAt: null,
      clientMessageId: null,
    });
    const history = await asUser(ctx.app, ada).get(`/rooms/${room.id}/messages`);
    expect(history.body.items).toEqual([res.body]);
  });

  it('when the same clientMessageId is sent again by the same author, returns 200 with the first message and stores no second', async () => {
    const { ada, bob, room } = await roomOfTwo();
    const first = await asUser(ctx.app, bob)
      .post(`/rooms/${room.id}/messages`)
      .send({ body: 'once', clientMessageId: 'c-1' });
    expect(first.status).toBe(201);
    const again = await asUser(ctx.app, bob)
      .post(`/rooms/${room.id}/messages`)
      .send({ body: 'once', clientMessageId: 'c-1' });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const racing = await Promise.all(
      [1, 2, 3].map(() =>
        asUser(ctx.app, bob).post(`/rooms/${room.id}/messages`).send({ body: 'x', clientMessageId: 'c-2' }),
      ),
    );
    expect(racing.map((r) => r.status).sort()).toEqual([200, 200, 201]);
    // Another author's c-1 is their own message.
    expect(
      (
        await asUser(ctx.app, ada)
          .post(`/rooms/${room.id}/messages`)
          .send({ body: 'mine', clientMessageId: 'c-1' })
      ).status,
    ).toBe(201);
    const history = await asUser(ctx.app, ada).get(`/rooms/${room.id}/messages`);
    expect(history.body.items).toHaveLength(3);
  });

  it('when the body is blank, too long or has an unknown field, returns 422', async () => {
    const { ada, room } = await roomOfTwo();
    for (const body of [{ body: '  ' }, { body: 'x'.repeat(4_001) }, { body: 'x', authorId: ada.id }]) {
      expect((await asUser(ctx.app, ada).post(`/rooms/${room.id}/messages`).send(body)).status).toBe(422);
    }
    expect(
      (
        await asUser(ctx.app, ada)
          .post(`/rooms/${room.id}/messages`)
          .send({ body: 'x'.repeat(4_000) })
      ).status,
    ).toBe(201);
  });

  it('when a non-member sends to a public room, returns 403 not-a-room-member; to a private room, 404', async () => {
    const { room } = await roomOfTwo('public');
    const { room: secret } = await roomOfTwo('private');
    const outsider = testUser('outsider');
    const pub = await asUser(ctx.app, outsider).post(`/rooms/${room.id}/messages`).send({ body: 'hi' });
    expect(pub.status).toBe(403);
    expect(pub.body.code).toBe('not-a-room-member');
    const priv = await asUser(ctx.app, outsider).post(`/rooms/${secret.id}/messages`).send({ body: 'hi' });
    expect(priv.status).toBe(404);
    expect(priv.body.code).toBe('room-not-found');
    expect((await asUser(ctx.app, outsider).get(`/rooms/${secret.id}/messages`)).status).toBe(404);
  });
});

describe('history', () => {
  it('when paged, goes newest first with before and cursors, oldest first with after, with no gap or repeat', async () => {
    const { ada, room } = await roomOfTwo();
    const sent: string[] = [];
    for (let i = 0; i < 5; i++) sent.push((await send(ada, room.id, `m${i}`)).id);

    const page1 = await asUser(ctx.app, ada).get(`/rooms/${room.id}/messages?limit=2`);
    expect(page1.body.items.map((m: { id: string }) => m.id)).toEqual([sent[4], sent[3]]);
    const page2 = await asUser(ctx.app, ada).get(
      `/rooms/${room.id}/messages?limit=2&cursor=${page1.body.nextCursor}`,
    );
    expect(page2.body.items.map((m: { id: string }) => m.id)).toEqual([sent[2], sent[1]]);
    const page3 = await asUser(ctx.app, ada).get(
      `/rooms/${room.id}/messages?limit=2&cursor=${page2.body.nextCursor}`,
    );
    expect(page3.body.items.map((m: { id: string }) => m.id)).toEqual([sent[0]]);
    expect(page3.body.nextCursor).toBeNull();

    const before = await asUser(ctx.app, ada).get(`/rooms/${room.id}/messages?before=${sent[2]}`);
    expect(before.body.items.map((m: { id: string }) => m.id)).toEqual([sent[1], sent[0]]);
    const after = await asUser(ctx.app, ada).get(`/rooms/${room.id}/messages?after=${sent[1]}&limit=2`);
    expect(after.body.items.map((m: { id: string }) => m.id)).toEqual([sent[2], sent[3]]);
    const more = await asUser(ctx.app, ada).get(
      `/rooms/${room.id}/messages?limit=2&cursor=${after.body.nextCursor}`,
    );
    expect(more.body.items.map((m: { id: string }) => m.id)).toEqual([sent[4]]);
  });

  it("when the anchor is another room's message, returns 404 message-not-found; another room's cursor, 422", async () => {
    const { ada, room } = await roomOfTwo();
    const other = await createRoom(ctx.app, ada);
    const elsewhere = await send(ada, other.id, 'elsewhere');
    await send(ada, other.id, 'again');
    const res = await asUser(ctx.app, ada).get(`/rooms/${room.id}/messages?before=${elsewhere.id}`);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('message-not-found');
    const cursor = (await asUser(ctx.app, ada).get(`/rooms/${other.id}/messages?limit=1`)).body.nextCursor;
    const foreign = await asUser(ctx.app, ada).get(`/rooms/${room.id}/messages?cursor=${cursor}`);
    expect(foreign.status).toBe(422);
    expect(foreign.body.code).toBe('invalid-cursor');
    const both = await asUser(ctx.app, ada).get(
      `/rooms/${room.id}/messages?before=${elsewhere.id}&after=${elsewhere.id}`,
    );
    expect(both.status).toBe(422);
  });
});

describe('editing and deleting', () => {
  it('when the author edits, returns 200 with editedAt; someone else gets 403 not-your-message', async () => {
    const { ada, bob, room } = await roomOfTwo();
    const message = await send(bob, room.id, 'tpyo');
    const res = await asUser(ctx.app, bob)
      .patch(`/rooms/${room.id}/messages/${message.id}`)
      .send({ body: 'typo' });
    expect(res.status).toBe(200);
    expect(res.body.body).toBe('typo');
    expect(res.body.editedAt).not.toBeNull();
    const denied = await asUser(ctx.app, ada)
      .patch(`/rooms/${room.id}/messages/${message.id}`)
      .send({ body: 'owned' });
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('not-your-message');
  });

  it("when a member deletes another member's message, returns 403; the owner, 204; the history shows it deleted", async () => {
    const { ada, bob, room } = await roomOfTwo();
    const carol = testUser('carol');
    await invite(ctx.app, ada, room.id, carol);
    const message = await send(bob, room.id, 'oops');
    const denied = await asUser(ctx.app, carol).delete(`/rooms/${room.id}/messages/${message.id}`);
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('not-your-message');
    expect((await asUser(ctx.app, ada).delete(`/rooms/${room.id}/messages/${message.id}`)).status).toBe(204);
    expect((await asUser(ctx.app, bob).delete(`/rooms/${room.id}/messages/${message.id}`)).status).toBe(204);
    const [shown] = (await asUser(ctx.app, carol).get(`/rooms/${room.id}/messages`)).body.items;
    expect(shown).toMatchObject({ id: message.id, body: '' });
    expect(shown.deletedAt).not.toBeNull();
    const edit = await asUser(ctx.app, bob)
      .patch(`/rooms/${room.id}/messages/${message.id}`)
      .send({ body: 'back' });
    expect(edit.status).toBe(404);
    expect(edit.body.code).toBe('message-not-found');
  });

  it('when the author deletes their own message, returns 204', async () => {
    const { bob, room } = await roomOfTwo();
    const message = await send(bob, room.id, 'mine');
    expect((await asUser(ctx.app, bob).delete(`/rooms/${room.id}/messages/${message.id}`)).status).toBe(204);
    const gone = await asUser(ctx.app, bob).delete(`/rooms/${room.id}/messages/${crypto.randomUUID()}`);
    expect(gone.body.code).toBe('message-not-found');
    const outsider = testUser('outsider');
    const hidden = await Promise.all([
      asUser(ctx.app, outsider).delete(`/rooms/${room.id}/messages/${message.id}`),
      asUser(ctx.app, outsider).patch(`/rooms/${room.id}/messages/${message.id}`).send({ body: 'x' }),
      asUser(ctx.app, outsider).post(`/rooms/${room.id}/read`).send({ messageId: message.id }),
    ]);
    for (const res of hidden) {
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('room-not-found');
    }
  });
});

describe('read state', () => {
  it("counts others' messages after my read cursor in GET /rooms and GET /rooms/:id; the cursor only moves forward", async () => {
    const { ada, bob, room } = await roomOfTwo();
    const m1 = await send(ada, room.id, 'one');
    const m2 = await send(ada, room.id, 'two');
    await send(bob, room.id, 'my own');
    const m3 = await send(ada, room.id, 'three');
    const unread = async () => (await asUser(ctx.app, bob).get(`/rooms/${room.id}`)).body.unreadCount;
    expect(await unread()).toBe(3);

    const read = await asUser(ctx.app, bob).post(`/rooms/${room.id}/read`).send({ messageId: m2.id });
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ roomId: room.id, unreadCount: 1 });
    expect(
      (await asUser(ctx.app, bob).post(`/rooms/${room.id}/read`).send({ messageId: m1.id })).body.unreadCount,
    ).toBe(1);

    const list = await asUser(ctx.app, bob).get('/rooms?limit=100');
    expect(list.body.items.find((r: { id: string }) => r.id === room.id).unreadCount).toBe(1);
    // A deleted message is no longer unread.
    await asUser(ctx.app, ada).delete(`/rooms/${room.id}/messages/${m3.id}`);
    expect(await unread()).toBe(0);
    // Ada has read nothing: Bob's one message is unread to her.
    expect((await asUser(ctx.app, ada).get(`/rooms/${room.id}`)).body.unreadCount).toBe(1);
  });

  it('when a non-member of a public room reads, unreadCount is null and marking read is 403', async () => {
    const { ada, room } = await roomOfTwo('public');
    const m = await send(ada, room.id, 'hi');
    const outsider = testUser('outsider');
    expect((await asUser(ctx.app, outsider).get(`/rooms/${room.id}`)).body.unreadCount).toBeNull();
    const res = await asUser(ctx.app, outsider).post(`/rooms/${room.id}/read`).send({ messageId: m.id });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('not-a-room-member');
    const unknown = await asUser(ctx.app, ada)
      .post(`/rooms/${room.id}/read`)
      .send({ messageId: crypto.randomUUID() });
    expect(unknown.body.code).toBe('message-not-found');
  });
});
