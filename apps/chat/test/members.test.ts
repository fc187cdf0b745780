import { describe, expect, it } from 'vitest';
import { asUser, testUser, useTestApp } from '@mini/testing';
import { chatTestApp, createRoom, invite } from './helpers.ts';

const ctx = useTestApp(() => chatTestApp.build());

describe('joining', () => {
  it('when a user joins a public room with no body, returns 201 as member; again, 200 with the same membership', async () => {
    const ada = testUser('ada');
    const bob = testUser('bob');
    const room = await createRoom(ctx.app, ada, { visibility: 'public' });
    const res = await asUser(ctx.app, bob).post(`/rooms/${room.id}/members`);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ userId: bob.id, role: 'member' });
    expect(res.headers.location).toBe(`/rooms/${room.id}/members/${bob.id}`);
    const again = await asUser(ctx.app, bob).post(`/rooms/${room.id}/members`);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(res.body);
    expect((await asUser(ctx.app, bob).get(`/rooms/${room.id}`)).body.role).toBe('member');
  });

  it('when a non-member tries to join a private room, returns 404 and does not join', async () => {
    const ada = testUser('ada');
    const bob = testUser('bob');
    const room = await createRoom(ctx.app, ada, { visibility: 'private' });
    const res = await asUser(ctx.app, bob).post(`/rooms/${room.id}/members`);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('room-not-found');
    expect((await asUser(ctx.app, bob).get(`/rooms/${room.id}/members`)).status).toBe(404);
  });

  it('when the body has a field besides userId and role, returns 422', async () => {
    const room = await createRoom(ctx.app, testUser());
    const res = await asUser(ctx.app, testUser()).post(`/rooms/${room.id}/members`).send({ admin: true });
    expect(res.status).toBe(422);
    expect(res.body.errors.admin).toEqual(['Unknown field']);
  });
});

describe('inviting', () => {
  it('when an owner invites into a private room, the invitee sees the room and its members', async () => {
    const ada = testUser('ada');
    const bob = testUser('bob');
    const room = await createRoom(ctx.app, ada, { visibility: 'private' });
    const res = await asUser(ctx.app, ada).post(`/rooms/${room.id}/members`).send({ userId: bob.id });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ userId: bob.id, role: 'member' });
    expect((await asUser(ctx.app, bob).get(`/rooms/${room.id}`)).body.role).toBe('member');
    const one = await asUser(ctx.app, bob).get(res.headers.location as string);
    expect(one.body).toEqual(res.body);
    const stranger = await asUser(ctx.app, bob).get(`/rooms/${room.id}/members/${testUser().id}`);
    expect(stranger.status).toBe(404);
    expect(stranger.body.code).toBe('member-not-found');
    const outsider = await asUser(ctx.app, testUser()).get(`/rooms/${room.id}/members/${bob.id}`);
    expect(outsider.body.code).toBe('room-not-found');
    const list = await asUser(ctx.app, bob).get(`/rooms/${room.id}/members?limit=1`);
    expect(list.body.items).toEqual([expect.objectContaining({ userId: ada.id, role: 'owner' })]);
    const next = await asUser(ctx.app, bob).get(
      `/rooms/${room.id}/members?limit=1&cursor=${list.body.nextCursor}`,
    );
    expect(next.body.items).toEqual([expect.objectContaining({ userId: bob.id })]);
    expect(next.body.nextCursor).toBeNull();
  });

  it('when an admin invites a member, returns 201; as admin, or when a member invites, returns 403', async () => {
    const ada = testUser('ada');
    const admin = testUser('admin');
    const member = testUser('member');
    const room = await createRoom(ctx.app, ada, { visibility: 'private' });
    await invite(ctx.app, ada, room.id, admin, 'admin');
    await invite(ctx.app, admin, room.id, member);
    for (const [by, role] of [
      [admin, 'admin'],
      [member, 'member'],
    ] as const) {
      const res = await asUser(ctx.app, by)
        .post(`/rooms/${room.id}/members`)
        .send({ userId: testUser().id, role });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('insufficient-room-role');
    }
  });

  it('when the user already is a member, returns 409 already-a-member', async () => {
    const ada = testUser('ada');
    const bob = testUser('bob');
    const room = await createRoom(ctx.app, ada);
    await invite(ctx.app, ada, room.id, bob);
    const res = await asUser(ctx.app, ada).post(`/rooms/${room.id}/members`).send({ userId: bob.id });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('already-a-member');
  });
});

describe('roles, kicking and leaving', () => {
  it('when the owner makes someone admin, returns 200; an admin changing roles gets 403; an unknown member 404', async () => {
    const ada = testUser('ada');
    const bob = testUser('bob');
    const room = await createRoom(ctx.app, ada);
    await invite(ctx.app, ada, room.id, bob);
    const res = await asUser(ctx.app, ada)
      .patch(`/rooms/${room.id}/members/${bob.id}`)
      .send({ role: 'admin' });
    expect(res.status).toBe(200);
    expect(res.body.role).toBe('admin');
    const denied = await asUser(ctx.app, bob)
      .patch(`/rooms/${room.id}/members/${ada.id}`)
      .send({ role: 'member' });
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('insufficient-room-role');
    const unknown = await asUser(ctx.app, ada)
      .patch(`/rooms/${room.id}/members/${testUser().id}`)
      .send({ role: 'admin' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('member-not-found');
    const hidden = await asUser(ctx.app, testUser())
      .patch(`/rooms/${(await createRoom(ctx.app, ada, { visibility: 'private' })).id}/members/${bob.id}`)
      .send({ role: 'admin' });
    expect(hidden.body.code).toBe('room-not-found');
  });

  it('when the last owner steps down or leaves, returns 409 last-owner; with a second owner, both work', async () => {
    const ada = testUser('ada');
    const bob = testUser('bob');
    const room = await createRoom(ctx.app, ada);
    const down = await asUser(ctx.app, ada)
      .patch(`/rooms/${room.id}/members/${ada.id}`)
      .send({ role: 'member' });
    expect(down.status).toBe(409);
    expect(down.body.code).toBe('last-owner');
    const leave = await asUser(ctx.app, ada).delete(`/rooms/${room.id}/members/${ada.id}`);
    expect(leave.status).toBe(409);
    expect(leave.body.code).toBe('last-owner');

    await invite(ctx.app, ada, room.id, bob, 'owner');
    expect((await asUser(ctx.app, ada).delete(`/rooms/${room.id}/members/${ada.id}`)).status).toBe(204);
    expect((await asUser(ctx.app, ada).get(`/rooms/${room.id}`)).body.role).toBeNull();
  });

  it('when the last two owners leave at the same moment, exactly one of them leaves', async () => {
    const ada = testUser('ada');
    const bob = testUser('bob');
    const room = await createRoom(ctx.app, ada);
    await invite(ctx.app, ada, room.id, bob, 'owner');
    const results = await Promise.all(
      [ada, bob].map((user) => asUser(ctx.app, user).delete(`/rooms/${room.id}/members/${user.id}`)),
    );
    expect(results.map((r) => r.status).sort()).toEqual([204, 409]);
  });

  it('when an admin kicks a member, returns 204; an admin kicking an admin or owner gets 403', async () => {
    const ada = testUser('ada');
    const admin = testUser('admin');
    const admin2 = testUser('admin2');
    const member = testUser('member');
    const room = await createRoom(ctx.app, ada, { visibility: 'private' });
    await invite(ctx.app, ada, room.id, admin, 'admin');
    await invite(ctx.app, ada, room.id, admin2, 'admin');
    await invite(ctx.app, ada, room.id, member);
    expect((await asUser(ctx.app, admin).delete(`/rooms/${room.id}/members/${member.id}`)).status).toBe(204);
    // Kicked out of a private room: it no longer exists for them.
    expect((await asUser(ctx.app, member).get(`/rooms/${room.id}`)).status).toBe(404);
    for (const target of [admin2, ada]) {
      const res = await asUser(ctx.app, admin).delete(`/rooms/${room.id}/members/${target.id}`);
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('insufficient-room-role');
    }
    const gone = await asUser(ctx.app, ada).delete(`/rooms/${room.id}/members/${member.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.code).toBe('member-not-found');
    const hidden = await asUser(ctx.app, member).delete(`/rooms/${room.id}/members/${member.id}`);
    expect(hidden.body.code).toBe('room-not-found');
  });
});
