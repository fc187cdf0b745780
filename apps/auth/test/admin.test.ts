import { afterAll, describe, expect, it, vi } from 'vitest';
import request from 'supertest';
import { randomUUID } from 'node:crypto';
import { uniqueSuffix } from '@mini/testing';
import { createAdminAccount } from '../src/cli/create-admin-account.ts';
import type { Revocations } from '../src/revocation/revocation-relay.ts';
import {
  TEST_HASHING,
  buildTestApp,
  login,
  newUserInput,
  registerAndLogin,
  testLogger,
  type SignedIn,
} from './helpers.ts';

const ctx = buildTestApp();
afterAll(() => ctx.close());

const as = (token: string) => ({ Authorization: `Bearer ${token}` });

/** An admin made the way a learner makes the first one: with the create-admin command's code. */
async function newAdmin(): Promise<SignedIn> {
  const input = newUserInput();
  const { user } = await createAdminAccount(
    ctx.db,
    { ...input, password: async () => input.password, hashing: TEST_HASHING },
    { logger: testLogger },
  );
  const tokens = await login(ctx, input);
  return { id: user.id, ...input, ...tokens };
}

describe('create-admin', () => {
  it('creates a verified admin who can sign in and use the admin routes', async () => {
    const admin = await newAdmin();
    const me = await request(ctx.app).get('/users/me').set(as(admin.accessToken));
    expect(me.body).toMatchObject({ role: 'admin', emailVerified: true });
    expect((await request(ctx.app).get('/admin/users').set(as(admin.accessToken))).status).toBe(200);
  });

  it('when the email already has an account and --promote is not given, refuses, naming --promote, and changes nothing', async () => {
    const user = await registerAndLogin(ctx);
    const password = vi.fn(async () => 'some other passphrase');
    await expect(
      createAdminAccount(
        ctx.db,
        { email: user.email.toUpperCase(), username: 'ignored_name', password, hashing: TEST_HASHING },
        { logger: testLogger },
      ),
    ).rejects.toThrow(/already exists.*--promote/);
    expect(password).not.toHaveBeenCalled();
    const me = await request(ctx.app).get('/users/me').set(as(user.accessToken));
    expect(me.body.role).toBe('user');
  });

  it('with --promote, an account whose email is not verified is refused and stays a user', async () => {
    const user = await registerAndLogin(ctx);
    await expect(
      createAdminAccount(
        ctx.db,
        {
          email: user.email,
          username: user.username,
          password: async () => '',
          hashing: TEST_HASHING,
          promote: true,
        },
        { logger: testLogger },
      ),
    ).rejects.toThrow(/not verified/);
    expect((await request(ctx.app).get('/users/me').set(as(user.accessToken))).body.role).toBe('user');
  });

  it('with --promote, a verified account becomes admin, keeps its password, and its sessions end (queued for the other services)', async () => {
    const user = await registerAndLogin(ctx);
    await ctx.db.prisma.user.update({ where: { id: user.id }, data: { emailVerifiedAt: new Date() } });
    let nudges = 0;
    const revocations: Revocations = { nudge: () => void nudges++, ping: async () => {} };
    const result = await createAdminAccount(
      ctx.db,
      {
        email: user.email,
        username: user.username,
        password: async () => '',
        hashing: TEST_HASHING,
        promote: true,
      },
      { logger: testLogger, revocations },
    );
    expect(result).toMatchObject({ outcome: 'promoted', user: { id: user.id, role: 'admin' } });
    const ended = await ctx.db.prisma.session.findMany({ where: { userId: user.id }, select: { id: true } });
    const queued = await ctx.db.prisma.revocationOutbox.findMany({
      where: { sessionId: { in: ended.map((s) => s.id) } },
    });
    expect(queued).toHaveLength(1);
    expect(nudges).toBe(1);
    expect((await request(ctx.app).get('/users/me').set(as(user.accessToken))).status).toBe(401);
    const again = await login(ctx, user);
    expect((await request(ctx.app).get('/admin/users').set(as(again.accessToken))).status).toBe(200);
  });

  it('refuses a common password like registration does', async () => {
    await expect(
      createAdminAccount(
        ctx.db,
        { ...newUserInput(), password: async () => 'password123', hashing: TEST_HASHING },
        { logger: testLogger },
      ),
    ).rejects.toThrow(/commonly used/);
  });

  it('when the username is taken, refuses with the same message as registration', async () => {
    const user = await registerAndLogin(ctx);
    const input = newUserInput({ username: user.username.toUpperCase() });
    await expect(
      createAdminAccount(
        ctx.db,
        { ...input, password: async () => input.password, hashing: TEST_HASHING },
        { logger: testLogger },
      ),
    ).rejects.toThrow(/username is taken/);
  });
});

describe('GET /admin/users', () => {
  it('for a non-admin, returns 403', async () => {
    const user = await registerAndLogin(ctx);
    const res = await request(ctx.app).get('/admin/users').set(as(user.accessToken));
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  });

  it('searches by part of the email or username, any case, and reports the total', async () => {
    const admin = await newAdmin();
    const tag = uniqueSuffix();
    await registerAndLogin(ctx, { email: `searchme-${tag}-a@example.com` });
    await registerAndLogin(ctx, { username: `SearchMe_${tag}_b` });
    const res = await request(ctx.app)
      .get('/admin/users')
      .query({ search: `SEARCHME-${tag}` })
      .set(as(admin.accessToken));
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(1);
    const both = await request(ctx.app).get('/admin/users').query({ search: tag }).set(as(admin.accessToken));
    expect(both.body.total).toBe(2);
    expect(both.body.items[0]).toMatchObject({ disabled: false, disabledAt: null, role: 'user' });
    expect(JSON.stringify(both.body)).not.toMatch(/password/i);
  });

  it('a search for a username with `_` matches it literally, not as a one-character wildcard', async () => {
    const admin = await newAdmin();
    const tag = uniqueSuffix();
    const literal = await registerAndLogin(ctx, { username: `wild_${tag}` });
    await registerAndLogin(ctx, { username: `wildX${tag}` });
    const res = await request(ctx.app)
      .get('/admin/users')
      .query({ search: `wild_${tag}` })
      .set(as(admin.accessToken));
    expect(res.status).toBe(200);
    expect(res.body.items.map((u: { id: string }) => u.id)).toEqual([literal.id]);
    expect(res.body.total).toBe(1);
  });

  it('a search with `%` or a backslash matches those characters literally (here: nobody)', async () => {
    const admin = await newAdmin();
    const tag = uniqueSuffix();
    await registerAndLogin(ctx, { username: `pct${tag}x` });
    for (const search of [`pct%${tag}`, `pct${tag}%`, `pct\\${tag}`]) {
      const res = await request(ctx.app).get('/admin/users').query({ search }).set(as(admin.accessToken));
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(0);
    }
  });

  it('pages with limit and nextCursor without skipping or repeating anyone', async () => {
    const admin = await newAdmin();
    const tag = uniqueSuffix();
    const created = new Set<string>();
    for (let i = 0; i < 5; i++)
      created.add((await registerAndLogin(ctx, { username: `page_${tag}_${i}` })).id);

    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 5; page++) {
      const res = await request(ctx.app)
        .get('/admin/users')
        .query({ search: `page_${tag}`, limit: 2, ...(cursor ? { cursor } : {}) })
        .set(as(admin.accessToken));
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(5);
      seen.push(...res.body.items.map((u: { id: string }) => u.id));
      cursor = res.body.nextCursor ?? undefined;
      if (!cursor) break;
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen)).toEqual(created);
  });

  it('with a forged cursor or a limit over 100, returns 422', async () => {
    const admin = await newAdmin();
    const forged = await request(ctx.app)
      .get('/admin/users?cursor=bm90LWEtY3Vyc29y')
      .set(as(admin.accessToken));
    expect({ status: forged.status, code: forged.body.code }).toEqual({
      status: 422,
      code: 'invalid-cursor',
    });
    expect((await request(ctx.app).get('/admin/users?limit=101').set(as(admin.accessToken))).status).toBe(
      422,
    );
  });
  it('when a cursor of one search is used with another search, returns 422 invalid-cursor', async () => {
    const admin = await newAdmin();
    const tag = uniqueSuffix();
    for (let i = 0; i < 2; i++) await registerAndLogin(ctx, { username: `cur_${tag}_${i}` });
    const first = await request(ctx.app)
      .get('/admin/users')
      .query({ search: `cur_${tag}`, limit: 1 })
      .set(as(admin.accessToken));
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const other = await request(ctx.app)
      .get('/admin/users')
      .query({ search: 'someone else', limit: 1, cursor: first.body.nextCursor })
      .set(as(admin.accessToken));
    expect({ status: other.status, code: other.body.code }).toEqual({ status: 422, code: 'invalid-cursor' });
  });
});

describe('PATCH /admin/users/:id', () => {
  it('for a non-admin, returns 403 and changes nothing', async () => {
    const user = await registerAndLogin(ctx);
    const res = await request(ctx.app)
      .patch(`/admin/users/${user.id}`)
      .set(as(user.accessToken))
      .send({ role: 'admin' });
    expect(res.status).toBe(403);
    expect((await request(ctx.app).get('/users/me').set(as(user.accessToken))).body.role).toBe('user');
  });

  it('disabling a user ends their sessions at once; they can then neither sign in nor refresh', async () => {
    const admin = await newAdmin();
    const user = await registerAndLogin(ctx);
    const res = await request(ctx.app)
      .patch(`/admin/users/${user.id}`)
      .set(as(admin.accessToken))
      .send({ disabled: true });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: user.id, disabled: true });
    expect(res.body.disabledAt).toEqual(expect.any(String));

    expect((await request(ctx.app).get('/users/me').set(as(user.accessToken))).status).toBe(401);
    expect(
      (await request(ctx.app).post('/auth/refresh').send({ refreshToken: user.refreshToken })).status,
    ).toBe(401);
    const signIn = await request(ctx.app)
      .post('/auth/login')
      .send({ email: user.email, password: user.password });
    expect(signIn.status).toBe(401);
    // Same answer as a wrong password: a disabled account is not revealed.
    expect(signIn.body.code).toBe('invalid-credentials');
  });

  it('re-enabling a user lets them sign in again', async () => {
    const admin = await newAdmin();
    const user = await registerAndLogin(ctx);
    await request(ctx.app)
      .patch(`/admin/users/${user.id}`)
      .set(as(admin.accessToken))
      .send({ disabled: true })
      .expect(200);
    await request(ctx.app)
      .patch(`/admin/users/${user.id}`)
      .set(as(admin.accessToken))
      .send({ disabled: false })
      .expect(200);
    expect(
      (await request(ctx.app).post('/auth/login').send({ email: user.email, password: user.password }))
        .status,
    ).toBe(200);
  });

  it('promoting a user to admin takes effect at their next sign-in (old tokens end, new ones say admin)', async () => {
    const admin = await newAdmin();
    const user = await registerAndLogin(ctx);
    const res = await request(ctx.app)
      .patch(`/admin/users/${user.id}`)
      .set(as(admin.accessToken))
      .send({ role: 'admin' });
    expect(res.body.role).toBe('admin');
    expect((await request(ctx.app).get('/users/me').set(as(user.accessToken))).status).toBe(401);
    const again = await login(ctx, user);
    expect((await request(ctx.app).get('/admin/users').set(as(again.accessToken))).status).toBe(200);
  });

  it('an admin cannot demote or disable themselves (403)', async () => {
    const admin = await newAdmin();
    const res = await request(ctx.app)
      .patch(`/admin/users/${admin.id}`)
      .set(as(admin.accessToken))
      .send({ disabled: true });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('cannot-change-own-access');
  });

  it('with an unknown id returns 404; with an unknown field or an unknown role, 422', async () => {
    const admin = await newAdmin();
    const user = await registerAndLogin(ctx);
    expect(
      (
        await request(ctx.app)
          .patch(`/admin/users/${randomUUID()}`)
          .set(as(admin.accessToken))
          .send({ disabled: true })
      ).status,
    ).toBe(404);
    const extra = await request(ctx.app)
      .patch(`/admin/users/${user.id}`)
      .set(as(admin.accessToken))
      .send({ email: 'x@example.com' });
    expect(extra.status).toBe(422);
    const role = await request(ctx.app)
      .patch(`/admin/users/${user.id}`)
      .set(as(admin.accessToken))
      .send({ role: 'root' });
    expect(role.status).toBe(422);
    expect(role.body.errors.role).toBeDefined();
  });
});
