import { describe, expect, it } from 'vitest';
import { asUser, testUser, useTestApp } from '@mini/testing';
import { chatTestApp, createRoom, invite } from './helpers.ts';

const ctx = useTestApp(() => chatTestApp.build());

describe('rooms', () => {
  it('when a room is created, returns 201 with its Location and the creator as owner; GET returns it', async () => {
    const ada = testUser('ada');
    const res = await asUser(ctx.app, ada).post('/rooms').send({ name: '  general ', visibility: 'private' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: 'general',
      visibility: 'private',
      createdBy: ada.id,
      role: 'owner',
    });
    expect(res.headers.location).toBe(`/rooms/${res.body.id}`);
    const got = await asUser(ctx.app, ada).get(`/rooms/${res.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual({ ...res.body, unreadCount: 0 });
  });

  it('when the name is blank or the visibility is direct, returns 422', async () => {
    const ada = testUser('ada');
    for (const body of [
      { name: ' ' },
      { name: 'x', visibility: 'direct' },
      { name: 'x', createdBy: ada.id },
    ]) {
      expect((await asUser(ctx.app, ada).post('/rooms').send(body)).status).toBe(422);
    }
  });

  it("when the list is read, shows public rooms and my private ones (with my role), never others' private ones", async () => {
    const ada = testUser('ada');
    const bob = testUser('bob');
    const adaPublic = await createRoom(ctx.app, ada, { visibility: 'public' });
    const adaPrivate = await createRoom(ctx.app, ada, { visibility: 'private' });
    const bobPrivate = await createRoom(ctx.app, bob, { visibility: 'private' });

    const ids = async (user: typeof ada) => {
      const seen = new Map<string, string | null>();
      let cursor: string | null = null;
      do {
        const res = await asUser(ctx.app, user).get(`/rooms?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        for (const room of res.body.items) seen.set(room.id, room.role);
        cursor = res.body.nextCursor;
      } while (cursor);
      return seen;
    };
    const bobSees = await ids(bob);
    expect(bobSees.get(adaPublic.id)).toBeNull();
    expect(bobSees.has(adaPrivate.id)).toBe(false);
    expect(bobSees.get(bobPrivate.id)).toBe('owner');
    const adaSees = await ids(ada);
    expect(adaSees.get(adaPrivate.id)).toBe('owner');
    expect(adaSees.has(bobPrivate.id)).toBe(false);
  });

  it('when the list is paged, the pages are newest first with no repeat', async () => {
    const ada = testUser('ada');
    const mine: string[] = [];
    for (let i = 0; i < 3; i++) mine.push((await createRoom(ctx.app, ada, { visibility: 'private' })).id);
    // Only my private rooms are certainly mine alone: other test files add public rooms meanwhile.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await asUser(ctx.app, ada).get(`/rooms?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((r: { id: string }) => r.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((id) => mine.includes(id))).toEqual(mine.toReversed());
  });

  it('when the cursor is not one of this list, returns 422 invalid-cursor', async () => {
    const res = await asUser(ctx.app, testUser()).get('/rooms?cursor=bm90LWEtY3Vyc29y');
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('invalid-cursor');
  });

  it('when a non-member reads a private room, returns 404 room-not-found; a public one, 200 with role null', async () => {
    const ada = testUser('ada');
    const bob = testUser('bob');
    const secret = await createRoom(ctx.app, ada, { visibility: 'private' });
    const open = await createRoom(ctx.app, ada, { visibility: 'public' });
    const res = await asUser(ctx.app, bob).get(`/rooms/${secret.id}`);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('room-not-found');
    expect((await asUser(ctx.app, bob).get(`/rooms/${crypto.randomUUID()}`)).body.code).toBe(
      'room-not-found',
    );
    const pub = await asUser(ctx.app, bob).get(`/rooms/${open.id}`);
    expect(pub.status).toBe(200);
    expect(pub.body.role).toBeNull();
  });

  it('when an owner or admin renames a room, returns 200; a member or non-member, 403; an outsider of a private room, 404', async () => {
    const ada = testUser('ada');
    const admin = testUser('admin');
    const member = testUser('member');
    const room = await createRoom(ctx.app, ada, { visibility: 'public' });
    await invite(ctx.app, ada, room.id, admin, 'admin');
    await invite(ctx.app, ada, room.id, member);

    const byAdmin = await asUser(ctx.app, admin).patch(`/rooms/${room.id}`).send({ name: 'renamed' });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body).toMatchObject({ name: 'renamed', role: 'admin' });
    for (const user of [member, testUser('outsider')]) {
      const res = await asUser(ctx.app, user).patch(`/rooms/${room.id}`).send({ name: 'nope' });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('insufficient-room-role');
    }
    const secret = await createRoom(ctx.app, ada, { visibility: 'private' });
    const hidden = await asUser(ctx.app, member).patch(`/rooms/${secret.id}`).send({ name: 'nope' });
    expect(hidden.status).toBe(404);
    expect(hidden.body.code).toBe('room-not-found');
  });

  it('when the owner deletes a room, returns 204 and then 404; an admin gets 403', async () => {
    const ada = testUser('ada');
    const admin = testUser('admin');
    const room = await createRoom(ctx.app, ada);
    await invite(ctx.app, ada, room.id, admin, 'admin');
    const denied = await asUser(ctx.app, admin).delete(`/rooms/${room.id}`);
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('insufficient-room-role');
    expect((await asUser(ctx.app, ada).delete(`/rooms/${room.id}`)).status).toBe(204);
    const gone = await asUser(ctx.app, ada).delete(`/rooms/${room.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.code).toBe('room-not-found');
    expect((await asUser(ctx.app, admin).get(`/rooms/${room.id}`)).status).toBe(404);
  });
});

describe('direct rooms', () => {
  it('when either person opens the direct room, it is one room: 201 the first time, then 200 for both', async () => {
    const ada = testUser('ada');
    const bob = testUser('bob');
    const first = await asUser(ctx.app, ada).post(`/dm/${bob.id}`);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ visibility: 'direct', name: null, role: 'member' });
    expect(first.headers.location).toBe(`/rooms/${first.body.id}`);
    const again = await asUser(ctx.app, bob).post(`/dm/${ada.id}`);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect((await asUser(ctx.app, testUser()).get(`/rooms/${first.body.id}`)).status).toBe(404);
    const members = await asUser(ctx.app, bob).get(`/rooms/${first.body.id}/members`);
    expect(members.body.items.map((m: { userId: string }) => m.userId).sort()).toEqual(
      [ada.id, bob.id].sort(),
    );
  });

  it('when both open it at the same moment, both get the same room', async () => {
    const ada = testUser('ada');
    const bob = testUser('bob');
    const [a, b] = await Promise.all([
      asUser(ctx.app, ada).post(`/dm/${bob.id}`),
      asUser(ctx.app, bob).post(`/dm/${ada.id}`),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    expect(a.body.id).toBe(b.body.id);
  });

  it('when the id is your own, returns 422 direct-with-yourself', async () => {
    const ada = testUser('ada');
    const res = await asUser(ctx.app, ada).post(`/dm/${ada.id}`);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('direct-with-yourself');
  });

  it('when a direct room is renamed, deleted, joined by invitation or left, returns 409 direct-room', async () => {
    const ada = testUser('ada');
    const bob = testUser('bob');
    const dm = (await asUser(ctx.app, ada).post(`/dm/${bob.id}`)).body;
    const attempts = [
      asUser(ctx.app, ada).patch(`/rooms/${dm.id}`).send({ name: 'ours' }),
      asUser(ctx.app, ada).delete(`/rooms/${dm.id}`),
      asUser(ctx.app, ada).post(`/rooms/${dm.id}/members`).send({ userId: testUser().id }),
      asUser(ctx.app, ada).delete(`/rooms/${dm.id}/members/${ada.id}`),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('direct-room');
    }
  });
});
