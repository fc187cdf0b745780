import { describe, expect, it } from 'vitest';
import { asUser, startAuthStandIn, startTcpProxy, testUser } from '@mini/testing';
import {
  addMember,
  buildTestApp,
  buildTestAppWithAuth,
  createProject,
  createTask,
  useTestAppWithAuth,
} from './helpers.ts';

const ctx = useTestAppWithAuth();

describe('adding members through the auth service', () => {
  it('when the username is known to auth, adds the member with the username projection and forwards token, request id and client address', async () => {
    const owner = testUser('owner');
    const grace = testUser('grace');
    ctx.auth.register(grace);
    const project = await createProject(ctx.app, owner);

    const res = await asUser(ctx.app, owner)
      .post(`/projects/${project.id}/members`)
      .set('X-Request-Id', 'req-add-grace')
      .send({ username: grace.username, role: 'editor' });

    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      userId: grace.id,
      username: grace.username,
      displayName: grace.displayName,
      role: 'editor',
      addedBy: owner.id,
    });
    const lookup = ctx.auth.requests.find((r) => r.url === `/users/by-username/${grace.username}`);
    expect(lookup?.headers.authorization).toBe(`Bearer ${owner.token}`);
    expect(lookup?.headers['x-request-id']).toBe('req-add-grace');
    // The end client's address (supertest's, on loopback), so auth's per-IP limits count the client.
    expect(lookup?.headers['x-forwarded-for']).toMatch(/^(::ffff:)?127\.0\.0\.1$/);

    const list = await asUser(ctx.app, grace).get(`/projects/${project.id}/members`);
    expect(list.body.items.map((m: { userId: string }) => m.userId).sort()).toEqual(
      [owner.id, grace.id].sort(),
    );
  });

  it('when auth does not know the username, returns 422 with errors.username', async () => {
    const owner = testUser('owner');
    const project = await createProject(ctx.app, owner);
    const res = await asUser(ctx.app, owner)
      .post(`/projects/${project.id}/members`)
      .send({ username: 'nobody_here', role: 'viewer' });
    expect(res.status).toBe(422);
    expect(res.body.errors.username).toEqual(['No user has this username']);
  });

  it('when the user already is a member, returns 409', async () => {
    const owner = testUser('owner');
    const grace = testUser('grace');
    const project = await createProject(ctx.app, owner);
    await addMember(ctx.app, ctx.auth, owner, project.id, grace, 'viewer');
    const res = await asUser(ctx.app, owner)
      .post(`/projects/${project.id}/members`)
      .send({ username: grace.username });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('already-a-member');
  });

  it('when a non-owner adds a member, returns 403 without calling auth', async () => {
    const owner = testUser('owner');
    const editor = testUser('editor');
    const project = await createProject(ctx.app, owner);
    await addMember(ctx.app, ctx.auth, owner, project.id, editor, 'editor');
    const res = await asUser(ctx.app, editor)
      .post(`/projects/${project.id}/members`)
      .send({ username: 'someone_else' });
    expect(res.status).toBe(403);
    expect(ctx.auth.requests.some((r) => r.url.endsWith('/someone_else'))).toBe(false);
  });

  it('when auth answers too slowly, returns 503 with Retry-After', async () => {
    await withApp(await buildTestAppWithAuth(), async (slow) => {
      slow.auth.mode = 'slow';
      const { res, ms } = await addGrace(slow.app);
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(ms).toBeLessThan(3_000);
    });
  });

  it('when auth answers with a body that is not a user, returns 503', async () => {
    await withApp(await buildTestAppWithAuth(), async (broken) => {
      broken.auth.mode = 'garbage';
      const { res } = await addGrace(broken.app);
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('dependency-unavailable');
    });
  });

  it('when auth is down (connection refused), returns 503 at once and never shows internals', async () => {
    await withApp(await authBehindProxy(), async (proxied) => {
      await proxied.proxy.setMode('refuse');
      const { res, ms } = await addGrace(proxied.app);
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('dependency-unavailable');
      expect(ms).toBeLessThan(1_000);
      expect(JSON.stringify(res.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
    });
  });

  it('when the network to auth falls silent, returns 503 once AUTH_TIMEOUT_MS has passed', async () => {
    await withApp(await authBehindProxy(), async (proxied) => {
      await proxied.proxy.setMode('blackhole');
      const { res, ms } = await addGrace(proxied.app);
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(ms).toBeGreaterThanOrEqual(250);
      expect(ms).toBeLessThan(3_000);
    });
  });

  it('when auth fails (500), returns 503 dependency-unavailable, not its 500', async () => {
    await withApp(await buildTestAppWithAuth(), async (failing) => {
      failing.auth.mode = 'failing';
      const { res } = await addGrace(failing.app);
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('dependency-unavailable');
    });
  });

  it("when auth refuses the forwarded token (401), the client gets auth's problem under its own request id", async () => {
    await withApp(await buildTestAppWithAuth(), async (refusing) => {
      refusing.auth.mode = 'refuse';
      const { res } = await addGrace(refusing.app, 'req-refused');
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="mini-backends", error="invalid_token"');
      expect(res.body).toEqual({
        type: 'https://mini-backends.dev/problems/unauthorized',
        title: 'Unauthorized',
        status: 401,
        detail: 'The session has ended.',
        code: 'unauthorized',
        requestId: 'req-refused',
      });
    });
  });
});

/** Runs `fn` on an app of its own, closed afterwards whatever happens. */
async function withApp<T extends { close(): Promise<unknown> }>(ctx: T, fn: (ctx: T) => Promise<void>) {
  try {
    await fn(ctx);
  } finally {
    await ctx.close();
  }
}

/** A new owner adds "grace" to a new project; the answer, and how long it took. */
async function addGrace(app: Parameters<typeof createProject>[0], requestId = 'req-add-grace') {
  const owner = testUser('owner');
  const project = await createProject(app, owner);
  const started = Date.now();
  const res = await asUser(app, owner)
    .post(`/projects/${project.id}/members`)
    .set('X-Request-Id', requestId)
    .send({ username: 'grace' });
  return { res, ms: Date.now() - started };
}

/** An app whose AUTH_URL goes through a TCP proxy to the auth stand-in, to cut or silence the network. */
async function authBehindProxy() {
  const auth = await startAuthStandIn();
  const url = new URL(auth.url);
  const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port) });
  const ctx = buildTestApp({ AUTH_URL: proxy.urlFor(auth.url), AUTH_TIMEOUT_MS: '300' });
  return {
    ...ctx,
    proxy,
    close: async () => {
      await Promise.all([ctx.close(), proxy.close()]);
      await auth.close();
    },
  };
}

describe('roles and the last owner', () => {
  it('when the only owner tries to leave, returns 409 last-owner', async () => {
    const owner = testUser('owner');
    const project = await createProject(ctx.app, owner);
    const res = await asUser(ctx.app, owner).delete(`/projects/${project.id}/members/${owner.id}`);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('last-owner');
  });

  it('when the only owner demotes themselves, returns 409; after promoting another owner, it works', async () => {
    const owner = testUser('owner');
    const grace = testUser('grace');
    const project = await createProject(ctx.app, owner);
    await addMember(ctx.app, ctx.auth, owner, project.id, grace, 'editor');

    const demote = await asUser(ctx.app, owner)
      .patch(`/projects/${project.id}/members/${owner.id}`)
      .send({ role: 'editor' });
    expect(demote.status).toBe(409);

    const promote = await asUser(ctx.app, owner)
      .patch(`/projects/${project.id}/members/${grace.id}`)
      .send({ role: 'owner' });
    expect(promote.body.role).toBe('owner');
    const now = await asUser(ctx.app, owner)
      .patch(`/projects/${project.id}/members/${owner.id}`)
      .send({ role: 'viewer' });
    expect(now.status).toBe(200);
    expect(now.body.role).toBe('viewer');
  });

  it('when two owners demote each other at the same moment, one succeeds and the project keeps an owner', async () => {
    const a = testUser('a');
    const b = testUser('b');
    const project = await createProject(ctx.app, a);
    await addMember(ctx.app, ctx.auth, a, project.id, b, 'owner');
    const [ra, rb] = await Promise.all([
      asUser(ctx.app, a).patch(`/projects/${project.id}/members/${b.id}`).send({ role: 'editor' }),
      asUser(ctx.app, b).patch(`/projects/${project.id}/members/${a.id}`).send({ role: 'editor' }),
    ]);
    const statuses = [ra.status, rb.status].sort();
    expect(statuses[0]).toBe(200);
    expect([403, 409]).toContain(statuses[1]);
    const members = await asUser(ctx.app, a).get(`/projects/${project.id}/members`);
    const owners = members.body.items.filter((m: { role: string }) => m.role === 'owner');
    expect(owners).toHaveLength(1);
  });

  it('a member may leave; their tasks there become unassigned and the history records it', async () => {
    const owner = testUser('owner');
    const grace = testUser('grace');
    const project = await createProject(ctx.app, owner);
    await addMember(ctx.app, ctx.auth, owner, project.id, grace, 'editor');
    const task = await createTask(ctx.app, owner, project.id, { assigneeId: grace.id });

    expect((await asUser(ctx.app, grace).delete(`/projects/${project.id}/members/${grace.id}`)).status).toBe(
      204,
    );
    expect((await asUser(ctx.app, grace).get(`/projects/${project.id}`)).status).toBe(404);
    const after = await asUser(ctx.app, owner).get(`/tasks/${task.id}`);
    expect(after.body.assigneeId).toBeNull();
    const activity = await asUser(ctx.app, owner).get(`/tasks/${task.id}/activity`);
    expect(activity.body.items.at(-1)).toMatchObject({
      actorId: grace.id,
      field: 'assigneeId',
      oldValue: grace.id,
      newValue: null,
    });
  });

  it('when a viewer removes another member, returns 403', async () => {
    const owner = testUser('owner');
    const viewer = testUser('viewer');
    const editor = testUser('editor');
    const project = await createProject(ctx.app, owner);
    await addMember(ctx.app, ctx.auth, owner, project.id, viewer, 'viewer');
    await addMember(ctx.app, ctx.auth, owner, project.id, editor, 'editor');
    const res = await asUser(ctx.app, viewer).delete(`/projects/${project.id}/members/${editor.id}`);
    expect(res.status).toBe(403);
  });

  it('when the member does not exist, returns 404', async () => {
    const owner = testUser('owner');
    const project = await createProject(ctx.app, owner);
    const res = await asUser(ctx.app, owner)
      .patch(`/projects/${project.id}/members/${testUser().id}`)
      .send({ role: 'viewer' });
    expect(res.status).toBe(404);
  });
});
