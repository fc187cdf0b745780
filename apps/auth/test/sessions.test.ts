import { afterAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { randomUUID } from 'node:crypto';
import { buildTestApp, login, registerAndLogin } from './helpers.ts';

const ctx = buildTestApp();
afterAll(() => ctx.close());

const me = (accessToken: string) =>
  request(ctx.app).get('/users/me').set('Authorization', `Bearer ${accessToken}`);
const refresh = (refreshToken: string) => request(ctx.app).post('/auth/refresh').send({ refreshToken });

describe('POST /auth/refresh', () => {
  it('when the refresh token is current, returns a new pair and spends the old refresh token', async () => {
    const user = await registerAndLogin(ctx);
    const first = await refresh(user.refreshToken);
    expect(first.status).toBe(200);
    expect(first.body.refreshToken).not.toBe(user.refreshToken);
    expect(first.body.tokenType).toBe('Bearer');
    expect((await me(first.body.accessToken)).status).toBe(200);

    const second = await refresh(first.body.refreshToken);
    expect(second.status).toBe(200);
  });

  it('when a spent refresh token is presented again, revokes the whole family: the newest refresh and access tokens die too', async () => {
    const user = await registerAndLogin(ctx);
    const rotated = await refresh(user.refreshToken);
    expect(rotated.status).toBe(200);

    const replay = await refresh(user.refreshToken);
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('invalid-refresh-token');

    expect((await refresh(rotated.body.refreshToken)).status).toBe(401);
    expect((await me(rotated.body.accessToken)).status).toBe(401);
    expect((await me(user.accessToken)).status).toBe(401);
  });

  it('when two requests race with the same refresh token, at most one gets a new pair and the session ends', async () => {
    const user = await registerAndLogin(ctx);
    const results = await Promise.all([refresh(user.refreshToken), refresh(user.refreshToken)]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 401]);
    const winner = results.find((r) => r.status === 200);
    // The loser looked exactly like a replayed stolen token, so the family is gone.
    expect((await refresh(winner?.body.refreshToken)).status).toBe(401);
  });

  it('when the refresh token is unknown, returns 401', async () => {
    const res = await refresh('made-up-token-that-was-never-issued');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('invalid-refresh-token');
  });

  it('when the session has passed its absolute lifetime, refresh returns 401 even though the token is unspent', async () => {
    const short = buildTestApp({ SESSION_MAX_AGE_SECONDS: '60', REFRESH_TOKEN_TTL_SECONDS: '60' });
    try {
      const user = await registerAndLogin(short);
      await short.db.prisma.session.updateMany({
        where: { userId: user.id },
        data: { expiresAt: new Date(Date.now() - 1000) },
      });
      expect(
        (await request(short.app).post('/auth/refresh').send({ refreshToken: user.refreshToken })).status,
      ).toBe(401);
    } finally {
      await short.close();
    }
  });

  it('when the refresh token sat unused past its idle lifetime, refresh returns 401', async () => {
    const user = await registerAndLogin(ctx);
    await ctx.db.prisma.refreshToken.updateMany({
      where: { session: { userId: user.id } },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect((await refresh(user.refreshToken)).status).toBe(401);
  });

  it('stores refresh tokens only as hashes', async () => {
    const user = await registerAndLogin(ctx);
    const rows = await ctx.db.prisma.refreshToken.findMany({ where: { session: { userId: user.id } } });
    expect(rows).toHaveLength(1);
    expect(rows[0]?.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]?.tokenHash).not.toBe(user.refreshToken);
  });
});

describe('POST /auth/logout and /auth/logout-all', () => {
  it('after logout, the refresh token is refused and the access token of that session is 401 at once', async () => {
    const user = await registerAndLogin(ctx);
    const res = await request(ctx.app).post('/auth/logout').send({ refreshToken: user.refreshToken });
    expect(res.status).toBe(204);
    expect((await refresh(user.refreshToken)).status).toBe(401);
    const after = await me(user.accessToken);
    expect(after.status).toBe(401);
    expect(after.headers['www-authenticate']).toMatch(/invalid_token/);
  });

  it('logout ends only its own session: another device stays signed in', async () => {
    const user = await registerAndLogin(ctx);
    const other = await login(ctx, user, 'phone');
    await request(ctx.app).post('/auth/logout').send({ refreshToken: user.refreshToken }).expect(204);
    expect((await me(other.accessToken)).status).toBe(200);
  });

  it('when the refresh token is unknown or already logged out, logout is still 204', async () => {
    const user = await registerAndLogin(ctx);
    await request(ctx.app).post('/auth/logout').send({ refreshToken: user.refreshToken }).expect(204);
    await request(ctx.app).post('/auth/logout').send({ refreshToken: user.refreshToken }).expect(204);
    await request(ctx.app).post('/auth/logout').send({ refreshToken: 'never-issued' }).expect(204);
  });

  it('logout-all ends every session of the user, and no one else’s', async () => {
    const user = await registerAndLogin(ctx);
    const phone = await login(ctx, user, 'phone');
    const stranger = await registerAndLogin(ctx);
    const res = await request(ctx.app)
      .post('/auth/logout-all')
      .set('Authorization', `Bearer ${user.accessToken}`);
    expect(res.status).toBe(204);
    expect((await me(user.accessToken)).status).toBe(401);
    expect((await me(phone.accessToken)).status).toBe(401);
    expect((await refresh(phone.refreshToken)).status).toBe(401);
    expect((await me(stranger.accessToken)).status).toBe(200);
  });

  it('logout-all without an access token returns 401', async () => {
    expect((await request(ctx.app).post('/auth/logout-all')).status).toBe(401);
  });
});

describe('GET /auth/sessions and DELETE /auth/sessions/:id', () => {
  it('lists the active sessions with user agent and IP, marking the current one', async () => {
    const user = await registerAndLogin(ctx, {}, { userAgent: 'laptop-browser' });
    await login(ctx, user, 'phone-app');
    const res = await request(ctx.app)
      .get('/auth/sessions')
      .set('Authorization', `Bearer ${user.accessToken}`);
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(2);
    const current = res.body.items.filter((s: { current: boolean }) => s.current);
    expect(current).toHaveLength(1);
    expect(current[0]).toMatchObject({
      userAgent: 'laptop-browser',
      ip: expect.stringMatching(/127\.0\.0\.1|::1/),
    });
    expect(res.body.items.map((s: { userAgent: string }) => s.userAgent).sort()).toEqual([
      'laptop-browser',
      'phone-app',
    ]);
    for (const session of res.body.items) {
      expect(Object.keys(session).sort()).toEqual([
        'createdAt',
        'current',
        'expiresAt',
        'id',
        'ip',
        'lastUsedAt',
        'userAgent',
      ]);
    }
  });

  it('a session ended by logout disappears from the list', async () => {
    const user = await registerAndLogin(ctx);
    const phone = await login(ctx, user, 'phone');
    await request(ctx.app).post('/auth/logout').send({ refreshToken: phone.refreshToken }).expect(204);
    const res = await request(ctx.app)
      .get('/auth/sessions')
      .set('Authorization', `Bearer ${user.accessToken}`);
    expect(res.body.items).toHaveLength(1);
  });

  it('deleting one of your sessions signs that device out and leaves this one signed in', async () => {
    const user = await registerAndLogin(ctx);
    const phone = await login(ctx, user, 'phone');
    const list = await request(ctx.app)
      .get('/auth/sessions')
      .set('Authorization', `Bearer ${user.accessToken}`);
    const phoneSession = list.body.items.find((s: { current: boolean }) => !s.current);
    const res = await request(ctx.app)
      .delete(`/auth/sessions/${phoneSession.id}`)
      .set('Authorization', `Bearer ${user.accessToken}`);
    expect(res.status).toBe(204);
    expect((await me(phone.accessToken)).status).toBe(401);
    expect((await refresh(phone.refreshToken)).status).toBe(401);
    expect((await me(user.accessToken)).status).toBe(200);
  });

  it("when the session id is another user's, returns 404 and that session stays alive", async () => {
    const owner = await registerAndLogin(ctx);
    const intruder = await registerAndLogin(ctx);
    const ownerSessions = await request(ctx.app)
      .get('/auth/sessions')
      .set('Authorization', `Bearer ${owner.accessToken}`);
    const res = await request(ctx.app)
      .delete(`/auth/sessions/${ownerSessions.body.items[0].id}`)
      .set('Authorization', `Bearer ${intruder.accessToken}`);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('session-not-found');
    expect((await me(owner.accessToken)).status).toBe(200);
  });

  it('when the session id is unknown, returns 404; when it is not a uuid, 422', async () => {
    const user = await registerAndLogin(ctx);
    const auth = `Bearer ${user.accessToken}`;
    expect(
      (await request(ctx.app).delete(`/auth/sessions/${randomUUID()}`).set('Authorization', auth)).status,
    ).toBe(404);
    expect(
      (await request(ctx.app).delete('/auth/sessions/not-a-uuid').set('Authorization', auth)).status,
    ).toBe(422);
  });
});

describe('ended sessions are queued for the other services (the revocation outbox)', () => {
  const sidOf = (accessToken: string) =>
    JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString()).sid as string;
  const queued = async (...tokens: string[]) =>
    (
      await ctx.db.prisma.revocationOutbox.findMany({
        where: { sessionId: { in: tokens.map(sidOf) } },
        select: { sessionId: true },
      })
    ).map((row) => row.sessionId);
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  it('logout, logout-all, deleting a session, a password change and a replayed refresh token each queue exactly the sessions they end', async () => {
    const user = await registerAndLogin(ctx);
    expect(await queued(user.accessToken)).toEqual([]);
    await request(ctx.app).post('/auth/logout').send({ refreshToken: user.refreshToken }).expect(204);
    expect(await queued(user.accessToken)).toEqual([sidOf(user.accessToken)]);

    const a = await login(ctx, user, 'a');
    const b = await login(ctx, user, 'b');
    await request(ctx.app)
      .delete(`/auth/sessions/${sidOf(b.accessToken)}`)
      .set(auth(a.accessToken))
      .expect(204);
    expect(await queued(a.accessToken, b.accessToken)).toEqual([sidOf(b.accessToken)]);

    const c = await login(ctx, user, 'c');
    const newPassword = `${user.password} changed`;
    await request(ctx.app)
      .post('/users/me/password')
      .set(auth(a.accessToken))
      .send({ currentPassword: user.password, newPassword })
      .expect(204);
    // The caller's own session stays; the other one ends.
    expect(await queued(a.accessToken, c.accessToken)).toEqual([sidOf(c.accessToken)]);

    await request(ctx.app).post('/auth/logout-all').set(auth(a.accessToken)).expect(204);
    expect(await queued(a.accessToken)).toEqual([sidOf(a.accessToken)]);

    const d = await login(ctx, { email: user.email, password: newPassword }, 'd');
    const rotated = await refresh(d.refreshToken);
    expect(await queued(d.accessToken)).toEqual([]);
    expect((await refresh(d.refreshToken)).status).toBe(401);
    expect(await queued(rotated.body.accessToken)).toEqual([sidOf(d.accessToken)]);
  });
});

describe('session cap per user', () => {
  let nudges = 0;
  const capped = buildTestApp(
    { MAX_SESSIONS_PER_USER: '3' },
    { revocations: { nudge: () => void nudges++, ping: async () => {} } },
  );
  afterAll(() => capped.close());

  it('when a 4th sign-in passes MAX_SESSIONS_PER_USER=3, the least recently used session ends and is queued for the other services', async () => {
    const user = await registerAndLogin(capped, {}, { userAgent: 'device-1' });
    await login(capped, user, 'device-2');
    await login(capped, user, 'device-3');
    expect(nudges).toBe(0);
    const fourth = await login(capped, user, 'device-4');

    const sessions = await request(capped.app)
      .get('/auth/sessions')
      .set('Authorization', `Bearer ${fourth.accessToken}`);
    expect(sessions.body.items.map((s: { userAgent: string }) => s.userAgent).sort()).toEqual([
      'device-2',
      'device-3',
      'device-4',
    ]);
    // The first device is signed out everywhere: its access token, its refresh token, the revocation list.
    expect(
      (await request(capped.app).get('/users/me').set('Authorization', `Bearer ${user.accessToken}`)).status,
    ).toBe(401);
    expect(
      (await request(capped.app).post('/auth/refresh').send({ refreshToken: user.refreshToken })).status,
    ).toBe(401);
    const ended = await capped.db.prisma.session.findMany({
      where: { userId: user.id, revokeReason: 'session-limit' },
    });
    expect(ended.map((s) => s.userAgent)).toEqual(['device-1']);
    const queued = await capped.db.prisma.revocationOutbox.findMany({ where: { sessionId: ended[0]?.id } });
    expect(queued).toHaveLength(1);
    expect(nudges).toBe(1);
  });

  it('a refreshed (recently used) session is kept over a newer idle one', async () => {
    const user = await registerAndLogin(capped, {}, { userAgent: 'old-but-active' });
    await login(capped, user, 'idle-a');
    await login(capped, user, 'idle-b');
    const refreshed = await request(capped.app)
      .post('/auth/refresh')
      .send({ refreshToken: user.refreshToken });
    expect(refreshed.status).toBe(200);
    const latest = await login(capped, user, 'new');
    const sessions = await request(capped.app)
      .get('/auth/sessions')
      .set('Authorization', `Bearer ${latest.accessToken}`);
    expect(sessions.body.items.map((s: { userAgent: string }) => s.userAgent).sort()).toEqual([
      'idle-b',
      'new',
      'old-but-active',
    ]);
  });
});
