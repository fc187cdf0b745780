import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { asUser, testUser } from '@mini/testing';
import { addMember, createLabel, createProject, createTask, useTestAppWithAuth } from './helpers.ts';

const ctx = useTestAppWithAuth();

describe('BOLA: ids of a project the caller is not a member of', () => {
  it('every route answers 404, exactly as for an id that does not exist, and changes nothing', async () => {
    const owner = testUser('owner');
    const intruder = testUser('intruder');
    ctx.auth.register(intruder);
    const project = await createProject(ctx.app, owner, { name: 'secret' });
    const label = await createLabel(ctx.app, owner, project.id);
    const task = await createTask(ctx.app, owner, project.id, { title: 'secret task' });
    const p = `/projects/${project.id}`;
    const t = `/tasks/${task.id}`;
    const me = asUser(ctx.app, intruder);

    const attempts = [
      me.get(p),
      me.patch(p).send({ name: 'pwned' }),
      me.delete(p),
      me.get(`${p}/members`),
      me.post(`${p}/members`).send({ username: intruder.username, role: 'owner' }),
      me.patch(`${p}/members/${owner.id}`).send({ role: 'viewer' }),
      me.delete(`${p}/members/${owner.id}`),
      me.delete(`${p}/members/${intruder.id}`),
      me.get(`${p}/labels`),
      me.post(`${p}/labels`).send({ name: 'x' }),
      me.delete(`${p}/labels/${label.id}`),
      me.get(`${p}/tasks`),
      me.post(`${p}/tasks`).send({ title: 'x' }),
      me.get(t),
      me.patch(t).send({ title: 'pwned' }),
      me.delete(t),
      me.get(`${t}/activity`),
      me.post('/tasks/bulk').send({ taskIds: [task.id], set: { status: 'done' } }),
    ];
    const statuses = await Promise.all(attempts.map(async (attempt, i) => `${i}:${(await attempt).status}`));
    expect(statuses).toEqual(attempts.map((_, i) => `${i}:404`));

    // Same answer as for ids that do not exist at all: nothing to tell the two apart.
    const unknown = await me.get(`/projects/${randomUUID()}`);
    const known = await me.get(p);
    expect({ ...known.body, requestId: null }).toEqual({ ...unknown.body, requestId: null });

    const after = await asUser(ctx.app, owner).get(t);
    expect(after.body).toMatchObject({ title: 'secret task', version: 1 });
    expect((await asUser(ctx.app, owner).get(p)).body.name).toBe('secret');
  });

  it('the cross-project list and "my tasks" never show tasks of projects the caller is not in', async () => {
    const owner = testUser('owner');
    const intruder = testUser('intruder');
    const project = await createProject(ctx.app, owner);
    await createTask(ctx.app, owner, project.id, { assigneeId: owner.id });
    const res = await asUser(ctx.app, intruder).get(`/tasks?assignee=${owner.id}`);
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([]);
  });

  it('when a member of another project filters by a foreign label or assignee, the lists answer nothing of the foreign project', async () => {
    const owner = testUser('owner');
    const outsider = testUser('outsider');
    const foreign = await createProject(ctx.app, owner);
    const label = await createLabel(ctx.app, owner, foreign.id, 'secret');
    await createTask(ctx.app, owner, foreign.id, { assigneeId: owner.id, labelIds: [label.id] });
    // The outsider has a project of their own, with a task of their own.
    const own = await createProject(ctx.app, outsider);
    await createTask(ctx.app, outsider, own.id, { title: 'mine' });

    for (const url of [
      `/tasks?label=${label.id}`,
      `/tasks?assignee=${owner.id}`,
      `/tasks?assignee=${owner.id}&label=${label.id}&sort=priority`,
      `/projects/${own.id}/tasks?label=${label.id}`,
      `/projects/${own.id}/tasks?assignee=${owner.id}`,
    ]) {
      const res = await asUser(ctx.app, outsider).get(url);
      expect({ url, status: res.status, items: res.body.items }).toEqual({ url, status: 200, items: [] });
    }
    const foreignList = await asUser(ctx.app, outsider).get(
      `/projects/${foreign.id}/tasks?label=${label.id}`,
    );
    expect(foreignList.status).toBe(404);
  });

  it('a task cannot be moved into a project the caller is not a member of', async () => {
    const owner = testUser('owner');
    const victim = testUser('victim');
    const mine = await createProject(ctx.app, owner);
    const theirs = await createProject(ctx.app, victim);
    const task = await createTask(ctx.app, owner, mine.id);
    expect(
      (await asUser(ctx.app, owner).patch(`/tasks/${task.id}`).send({ projectId: theirs.id })).status,
    ).toBe(404);
  });
});

describe('viewers read but never write', () => {
  it('every write route answers 403 to a viewer, and nothing changes', async () => {
    const owner = testUser('owner');
    const viewer = testUser('viewer');
    const project = await createProject(ctx.app, owner);
    await addMember(ctx.app, ctx.auth, owner, project.id, viewer, 'viewer');
    const label = await createLabel(ctx.app, owner, project.id);
    const task = await createTask(ctx.app, owner, project.id, { title: 'keep me' });
    const p = `/projects/${project.id}`;
    const t = `/tasks/${task.id}`;
    const me = asUser(ctx.app, viewer);

    // Reads work.
    for (const url of [p, `${p}/members`, `${p}/labels`, `${p}/tasks`, t, `${t}/activity`]) {
      expect((await me.get(url)).status, url).toBe(200);
    }

    const writes = [
      me.patch(p).send({ name: 'x' }),
      me.delete(p),
      me.post(`${p}/members`).send({ username: 'someone' }),
      me.patch(`${p}/members/${owner.id}`).send({ role: 'viewer' }),
      me.post(`${p}/labels`).send({ name: 'x' }),
      me.delete(`${p}/labels/${label.id}`),
      me.post(`${p}/tasks`).send({ title: 'x' }),
      me.patch(t).send({ title: 'x' }),
      me.delete(t),
      me.post('/tasks/bulk').send({ taskIds: [task.id], set: { status: 'done' } }),
    ];
    const answers = await Promise.all(writes.map(async (write, i) => `${i}:${(await write).body.code}`));
    expect(answers).toEqual(writes.map((_, i) => `${i}:insufficient-project-role`));
    expect((await me.get(t)).body).toMatchObject({ title: 'keep me', version: 1 });
  });
});
