import { describe, expect, it } from 'vitest';
import {
  addMember,
  as,
  buildTestApp,
  buildTestAppWithAuth,
  createProject,
  createTask,
  makeUser,
  useTestAppWithAuth,
} from './helpers.ts';

const ctx = useTestAppWithAuth();

describe('adding members through the auth service', () => {
  it('when the username is known to auth, adds the member with the username projection and forwards token and request id', async () => {
    const owner = makeUser('owner');
    const grace = makeUser('grace');
    ctx.auth.register(grace);
    const project = await createProject(ctx.app, owner);

    const res = await as(ctx.app, owner)
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

    const list = await as(ctx.app, grace).get(`/projects/${project.id}/members`);
    expect(list.body.items.map((m: { userId: string }) => m.userId).sort()).toEqual(
      [owner.id, grace.id].sort(),
    );
  });

  it('when auth does not know the username, returns 422 with errors.username', async () => {
    const owner = makeUser('owner');
    const project = await createProject(ctx.app, owner);
    const res = await as(ctx.app, owner)
      .post(`/projects/${project.id}/members`)
      .send({ username: 'nobody_here', role: 'viewer' });
    expect(res.status).toBe(422);
    expect(res.body.errors.username).toEqual(['No user has this username']);
  });

  it('when the user already is a member, returns 409', async () => {
    const owner = makeUser('owner');
    const grace = makeUser('grace');
    const project = await createProject(ctx.app, owner);
    await addMember(ctx.app, ctx.auth, owner, project.id, grace, 'viewer');
    const res = await as(ctx.app, owner)
      .post(`/projects/${project.id}/members`)
      .send({ username: grace.username });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('already-a-member');
  });

  it('when a non-owner adds a member, returns 403 without calling auth', async () => {
    const owner = makeUser('owner');
    const editor = makeUser('editor');
    const project = await createProject(ctx.app, owner);
    await addMember(ctx.app, ctx.auth, owner, project.id, editor, 'editor');
    const res = await as(ctx.app, editor)
      .post(`/projects/${project.id}/members`)
      .send({ username: 'someone_else' });
    expect(res.status).toBe(403);
    expect(ctx.auth.requests.some((r) => r.url.endsWith('/someone_else'))).toBe(false);
  });

  it('when auth answers too slowly, returns 503 with Retry-After', async () => {
    const slow = await buildTestAppWithAuth();
    try {
      slow.auth.mode = 'slow';
      const owner = makeUser('owner');
      const project = await createProject(slow.app, owner);
      const started = Date.now();
      const res = await as(slow.app, owner)
        .post(`/projects/${project.id}/members`)
        .send({ username: 'grace' });
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await slow.close();
    }
  });

  it('when auth answers with a body that is not a user, returns 503', async () => {
    const broken = await buildTestAppWithAuth();
    try {
      broken.auth.mode = 'garbage';
      const owner = makeUser('owner');
      const project = await createProject(broken.app, owner);
      const res = await as(broken.app, owner)
        .post(`/projects/${project.id}/members`)
        .send({ username: 'grace' });
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('dependency-unavailable');
    } finally {
      await broken.close();
    }
  });

  it('when auth is down (connection refused), returns 503 and never shows internals', async () => {
    const down = buildTestApp({ AUTH_URL: 'http://127.0.0.1:9', AUTH_TIMEOUT_MS: '500' });
    try {
      const owner = makeUser('owner');
      const project = await createProject(down.app, owner);
      const res = await as(down.app, owner)
        .post(`/projects/${project.id}/members`)
        .send({ username: 'grace' });
      expect(res.status).toBe(503);
      expect(JSON.stringify(res.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
    } finally {
      await down.close();
    }
  });
});

describe('roles and the last owner', () => {
  it('when the only owner tries to leave, returns 409 last-owner', async () => {
    const owner = makeUser('owner');
    const project = await createProject(ctx.app, owner);
    const res = await as(ctx.app, owner).delete(`/projects/${project.id}/members/${owner.id}`);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('last-owner');
  });

  it('when the only owner demotes themselves, returns 409; after promoting another owner, it works', async () => {
    const owner = makeUser('owner');
    const grace = makeUser('grace');
    const project = await createProject(ctx.app, owner);
    await addMember(ctx.app, ctx.auth, owner, project.id, grace, 'editor');

    const demote = await as(ctx.app, owner)
      .patch(`/projects/${project.id}/members/${owner.id}`)
      .send({ role: 'editor' });
    expect(demote.status).toBe(409);

    const promote = await as(ctx.app, owner)
      .patch(`/projects/${project.id}/members/${grace.id}`)
      .send({ role: 'owner' });
    expect(promote.body.role).toBe('owner');
    const now = await as(ctx.app, owner)
      .patch(`/projects/${project.id}/members/${owner.id}`)
      .send({ role: 'viewer' });
    expect(now.status).toBe(200);
    expect(now.body.role).toBe('viewer');
  });

  it('when two owners demote each other at the same moment, one succeeds and the project keeps an owner', async () => {
    const a = makeUser('a');
    const b = makeUser('b');
    const project = await createProject(ctx.app, a);
    await addMember(ctx.app, ctx.auth, a, project.id, b, 'owner');
    const [ra, rb] = await Promise.all([
      as(ctx.app, a).patch(`/projects/${project.id}/members/${b.id}`).send({ role: 'editor' }),
      as(ctx.app, b).patch(`/projects/${project.id}/members/${a.id}`).send({ role: 'editor' }),
    ]);
    const statuses = [ra.status, rb.status].sort();
    expect(statuses[0]).toBe(200);
    expect([403, 409]).toContain(statuses[1]);
    const members = await as(ctx.app, a).get(`/projects/${project.id}/members`);
    const owners = members.body.items.filter((m: { role: string }) => m.role === 'owner');
    expect(owners).toHaveLength(1);
  });

  it('a member may leave; their tasks there become unassigned and the history records it', async () => {
    const owner = makeUser('owner');
    const grace = makeUser('grace');
    const project = await createProject(ctx.app, owner);
    await addMember(ctx.app, ctx.auth, owner, project.id, grace, 'editor');
    const task = await createTask(ctx.app, owner, project.id, { assigneeId: grace.id });

    expect((await as(ctx.app, grace).delete(`/projects/${project.id}/members/${grace.id}`)).status).toBe(204);
    expect((await as(ctx.app, grace).get(`/projects/${project.id}`)).status).toBe(404);
    const after = await as(ctx.app, owner).get(`/tasks/${task.id}`);
    expect(after.body.assigneeId).toBeNull();
    const activity = await as(ctx.app, owner).get(`/tasks/${task.id}/activity`);
    expect(activity.body.items.at(-1)).toMatchObject({
      actorId: grace.id,
      field: 'assigneeId',
      oldValue: grace.id,
      newValue: null,
    });
  });

  it('when a viewer removes another member, returns 403', async () => {
    const owner = makeUser('owner');
    const viewer = makeUser('viewer');
    const editor = makeUser('editor');
    const project = await createProject(ctx.app, owner);
    await addMember(ctx.app, ctx.auth, owner, project.id, viewer, 'viewer');
    await addMember(ctx.app, ctx.auth, owner, project.id, editor, 'editor');
    const res = await as(ctx.app, viewer).delete(`/projects/${project.id}/members/${editor.id}`);
    expect(res.status).toBe(403);
  });

  it('when the member does not exist, returns 404', async () => {
    const owner = makeUser('owner');
    const project = await createProject(ctx.app, owner);
    const res = await as(ctx.app, owner)
      .patch(`/projects/${project.id}/members/${makeUser().id}`)
      .send({ role: 'viewer' });
    expect(res.status).toBe(404);
  });
});
