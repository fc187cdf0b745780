import { afterAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { randomUUID } from 'node:crypto';
import { buildTestApp, expectPasswordReplaced, login, registerAndLogin } from './helpers.ts';

const ctx = buildTestApp();
afterAll(() => ctx.close());

const as = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('GET and PATCH /users/me', () => {
  it('returns the signed-in account without any password material', async () => {
    const user = await registerAndLogin(ctx);
    const res = await request(ctx.app).get('/users/me').set(as(user.accessToken));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: user.id, email: user.email, username: user.username, role: 'user' });
    expect(JSON.stringify(res.body)).not.toMatch(/password/i);
  });

  it('without a token returns 401 with a Bearer challenge', async () => {
    const res = await request(ctx.app).get('/users/me');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm=/);
  });

  it('accepts the RealWorld "Token" scheme as well as "Bearer"', async () => {
    const user = await registerAndLogin(ctx);
    const res = await request(ctx.app).get('/users/me').set('Authorization', `Token ${user.accessToken}`);
    expect(res.status).toBe(200);
  });

  it('PATCH changes the display name and username', async () => {
    const user = await registerAndLogin(ctx);
    const newName = `${user.username}_x`;
    const res = await request(ctx.app)
      .patch('/users/me')
      .set(as(user.accessToken))
      .send({ displayName: '  Ada Lovelace ', username: newName });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ displayName: 'Ada Lovelace', username: newName });
  });

  it('PATCH with role (mass assignment) returns 422 and the role stays user', async () => {
    const user = await registerAndLogin(ctx);
    const res = await request(ctx.app).patch('/users/me').set(as(user.accessToken)).send({ role: 'admin' });
    expect(res.status).toBe(422);
    expect(res.body.errors.role).toEqual(['Unknown field']);
    expect((await request(ctx.app).get('/users/me').set(as(user.accessToken))).body.role).toBe('user');
  });

  it('PATCH with passwordHash or emailVerified returns 422', async () => {
    const user = await registerAndLogin(ctx);
    const res = await request(ctx.app)
      .patch('/users/me')
      .set(as(user.accessToken))
      .send({ displayName: 'x', passwordHash: 'x', emailVerified: true });
    expect(res.status).toBe(422);
    expect(res.body.errors).toMatchObject({
      passwordHash: ['Unknown field'],
      emailVerified: ['Unknown field'],
    });
  });

  it('PATCH to a username someone else has (in another case) returns 409 username-taken', async () => {
    const user = await registerAndLogin(ctx);
    const other = await registerAndLogin(ctx);
    const res = await request(ctx.app)
      .patch('/users/me')
      .set(as(user.accessToken))
      .send({ username: other.username.toUpperCase() });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('username-taken');
  });
});

describe('POST /users/me/password', () => {
  it('with the right current password, changes it, ends every other session and keeps this one', async () => {
    const user = await registerAndLogin(ctx);
    const phone = await login(ctx, user, 'phone');
    const newPassword = 'an entirely new passphrase';
    const res = await request(ctx.app)
      .post('/users/me/password')
      .set(as(user.accessToken))
      .send({ currentPassword: user.password, newPassword });
    expect(res.status).toBe(204);

    expect((await request(ctx.app).get('/users/me').set(as(user.accessToken))).status).toBe(200);
    expect((await request(ctx.app).get('/users/me').set(as(phone.accessToken))).status).toBe(401);
    await expectPasswordReplaced(ctx, user, newPassword, phone);
  });

  it('with a wrong current password, returns 422 errors.currentPassword and changes nothing', async () => {
    const user = await registerAndLogin(ctx);
    const res = await request(ctx.app)
      .post('/users/me/password')
      .set(as(user.accessToken))
      .send({ currentPassword: 'wrong guess here', newPassword: 'an entirely new passphrase' });
    expect(res.status).toBe(422);
    expect(res.body.errors.currentPassword).toEqual(['is incorrect']);
    expect(
      (await request(ctx.app).post('/auth/login').send({ email: user.email, password: user.password }))
        .status,
    ).toBe(200);
  });

  it('with a common new password, returns 422 errors.newPassword', async () => {
    const user = await registerAndLogin(ctx);
    const res = await request(ctx.app)
      .post('/users/me/password')
      .set(as(user.accessToken))
      .send({ currentPassword: user.password, newPassword: 'password1' });
    expect(res.status).toBe(422);
    expect(res.body.errors.newPassword[0]).toMatch(/commonly used/);
  });
});

describe('public profiles: GET /users/:id and GET /users/by-username/:username', () => {
  it('by id, any valid token gets exactly { id, username, displayName }', async () => {
    const target = await registerAndLogin(ctx);
    await request(ctx.app)
      .patch('/users/me')
      .set(as(target.accessToken))
      .send({ displayName: 'Grace' })
      .expect(200);
    const caller = await registerAndLogin(ctx);
    const res = await request(ctx.app).get(`/users/${target.id}`).set(as(caller.accessToken));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: target.id, username: target.username, displayName: 'Grace' });
  });

  it('by username in any case, returns the same profile with displayName null when unset', async () => {
    const target = await registerAndLogin(ctx);
    const caller = await registerAndLogin(ctx);
    const res = await request(ctx.app)
      .get(`/users/by-username/${target.username.toUpperCase()}`)
      .set(as(caller.accessToken));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: target.id, username: target.username, displayName: null });
  });

  it('when the user is unknown, returns 404 problem+json (by id and by username)', async () => {
    const caller = await registerAndLogin(ctx);
    const byId = await request(ctx.app).get(`/users/${randomUUID()}`).set(as(caller.accessToken));
    expect(byId.status).toBe(404);
    expect(byId.headers['content-type']).toMatch(/application\/problem\+json/);
    const byName = await request(ctx.app)
      .get('/users/by-username/nobody_by_that_name_here')
      .set(as(caller.accessToken));
    expect(byName.status).toBe(404);
  });

  it('without a token, returns 401', async () => {
    const target = await registerAndLogin(ctx);
    expect((await request(ctx.app).get(`/users/${target.id}`)).status).toBe(401);
  });
});
