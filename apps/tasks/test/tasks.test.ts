import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { asUser, type TestUser, testUser } from '@mini/testing';
import { addMember, createLabel, createProject, createTask, useTestAppWithAuth } from './helpers.ts';

const ctx = useTestAppWithAuth();

async function projectWithEditor() {
  const owner = testUser('owner');
  const editor = testUser('editor');
  const project = await createProject(ctx.app, owner);
  await addMember(ctx.app, ctx.auth, owner, project.id, editor, 'editor');
  return { owner, editor, project };
}

describe('creating and reading tasks', () => {
  it('when an editor creates a task, returns 201 with defaults, ETag and Location', async () => {
    const { owner, editor, project } = await projectWithEditor();
    const label = await createLabel(ctx.app, owner, project.id, 'bug');
    const res = await asUser(ctx.app, editor)
      .post(`/projects/${project.id}/tasks`)
      .send({
        title: 'Fix login',
        assigneeId: owner.id,
        labelIds: [label.id],
        dueAt: '2026-06-01T10:00:00+02:00',
      });

    expect(res.status).toBe(201);
    expect(res.headers.etag).toBe('"1"');
    expect(res.headers.location).toBe(`/tasks/${res.body.id}`);
    expect(res.body).toMatchObject({
      projectId: project.id,
      title: 'Fix login',
      description: null,
      status: 'todo',
      priority: 'medium',
      dueAt: '2026-06-01T08:00:00.000Z',
      assigneeId: owner.id,
      labelIds: [label.id],
      completedAt: null,
      version: 1,
      createdBy: editor.id,
      updatedBy: editor.id,
    });

    const got = await asUser(ctx.app, owner).get(`/tasks/${res.body.id}`);
    expect(got.status).toBe(200);
    expect(got.headers.etag).toBe('"1"');
    expect(got.body).toEqual(res.body);
  });

  it('when If-None-Match carries the current ETag, GET answers 304 without a body; after a change, 200', async () => {
    const { editor, project } = await projectWithEditor();
    const task = await createTask(ctx.app, editor, project.id);
    const cached = await asUser(ctx.app, editor).get(`/tasks/${task.id}`).set('If-None-Match', '"1"');
    expect(cached.status).toBe(304);
    expect(cached.text).toBeFalsy();
    await asUser(ctx.app, editor).patch(`/tasks/${task.id}`).send({ title: 'changed' });
    const fresh = await asUser(ctx.app, editor).get(`/tasks/${task.id}`).set('If-None-Match', '"1"');
    expect(fresh.status).toBe(200);
    expect(fresh.headers.etag).toBe('"2"');
  });

  it('new tasks go to the end of the manual order', async () => {
    const { owner, project } = await projectWithEditor();
    const a = await createTask(ctx.app, owner, project.id);
    const b = await createTask(ctx.app, owner, project.id);
    expect((b as unknown as { position: number }).position).toBeGreaterThan(
      (a as unknown as { position: number }).position,
    );
  });

  it('when the assignee is not a member of the project, returns 422 with errors.assigneeId', async () => {
    const { owner, project } = await projectWithEditor();
    const res = await asUser(ctx.app, owner)
      .post(`/projects/${project.id}/tasks`)
      .send({ title: 'x', assigneeId: randomUUID() });
    expect(res.status).toBe(422);
    expect(res.body.errors.assigneeId).toEqual(['Must be a member of the project']);
  });

  it('when a label belongs to another project, returns 422 with errors.labelIds', async () => {
    const { owner, project } = await projectWithEditor();
    const other = await createProject(ctx.app, owner);
    const foreign = await createLabel(ctx.app, owner, other.id);
    const res = await asUser(ctx.app, owner)
      .post(`/projects/${project.id}/tasks`)
      .send({ title: 'x', labelIds: [foreign.id] });
    expect(res.status).toBe(422);
    expect(res.body.errors.labelIds).toBeDefined();
  });

  it('when the status or priority is unknown, returns 422 naming the field', async () => {
    const { owner, project } = await projectWithEditor();
    const res = await asUser(ctx.app, owner)
      .post(`/projects/${project.id}/tasks`)
      .send({ title: 'x', status: 'blocked', priority: 'meh' });
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.errors).sort()).toEqual(['priority', 'status']);
  });

  it('when position is beyond 1e12 either way, returns 422 with errors.position (create and update)', async () => {
    const { editor, project } = await projectWithEditor();
    for (const position of [1e13, -1e13, 1e308]) {
      const res = await asUser(ctx.app, editor)
        .post(`/projects/${project.id}/tasks`)
        .send({ title: 'x', position });
      expect({ position, status: res.status, field: res.body.errors?.position !== undefined }).toEqual({
        position,
        status: 422,
        field: true,
      });
    }
    const task = await createTask(ctx.app, editor, project.id, { position: 1e12 });
    const res = await asUser(ctx.app, editor).patch(`/tasks/${task.id}`).send({ position: 2e12 });
    expect(res.status).toBe(422);
    expect(res.body.errors.position).toBeDefined();
  });

  it('when the body tries to set version or createdBy, returns 422 (no mass assignment)', async () => {
    const { owner, project } = await projectWithEditor();
    const res = await asUser(ctx.app, owner)
      .post(`/projects/${project.id}/tasks`)
      .send({ title: 'x', version: 99, createdBy: owner.id });
    expect(res.status).toBe(422);
    expect(res.body.errors).toMatchObject({ version: ['Unknown field'], createdBy: ['Unknown field'] });
  });
});

describe('updating tasks', () => {
  it('setting status to done sets completedAt; reopening clears it; each write bumps the version', async () => {
    const { editor, project } = await projectWithEditor();
    const task = await createTask(ctx.app, editor, project.id);

    const done = await asUser(ctx.app, editor).patch(`/tasks/${task.id}`).send({ status: 'done' });
    expect(done.status).toBe(200);
    expect(done.body.completedAt).toEqual(expect.any(String));
    expect(done.body.version).toBe(2);
    expect(done.headers.etag).toBe('"2"');

    const reopened = await asUser(ctx.app, editor).patch(`/tasks/${task.id}`).send({ status: 'in_progress' });
    expect(reopened.body).toMatchObject({ status: 'in_progress', completedAt: null, version: 3 });
  });

  it('a PATCH that changes nothing keeps the version', async () => {
    const { editor, project } = await projectWithEditor();
    const task = await createTask(ctx.app, editor, project.id, { title: 'same' });
    const res = await asUser(ctx.app, editor).patch(`/tasks/${task.id}`).send({ title: 'same' });
    expect(res.body.version).toBe(1);
  });

  it('when If-Match carries the current version, the write succeeds', async () => {
    const { editor, project } = await projectWithEditor();
    const task = await createTask(ctx.app, editor, project.id);
    const res = await asUser(ctx.app, editor)
      .patch(`/tasks/${task.id}`)
      .set('If-Match', '"1"')
      .send({ priority: 'high' });
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe('"2"');
  });

  it('when two people edit from the same version, the second gets 412 and the first edit survives', async () => {
    const { owner, editor, project } = await projectWithEditor();
    const task = await createTask(ctx.app, editor, project.id, { title: 'original' });
    const etag = (await asUser(ctx.app, owner).get(`/tasks/${task.id}`)).headers.etag as string;

    const first = await asUser(ctx.app, owner)
      .patch(`/tasks/${task.id}`)
      .set('If-Match', etag)
      .send({ title: 'owner edit' });
    expect(first.status).toBe(200);
    const second = await asUser(ctx.app, editor)
      .patch(`/tasks/${task.id}`)
      .set('If-Match', etag)
      .send({ title: 'editor edit' });
    expect(second.status).toBe(412);
    expect(second.body).toMatchObject({ code: 'stale-version', currentVersion: 2 });
    expect((await asUser(ctx.app, owner).get(`/tasks/${task.id}`)).body.title).toBe('owner edit');
  });

  it('when two conditional edits race, exactly one wins', async () => {
    const { owner, editor, project } = await projectWithEditor();
    const task = await createTask(ctx.app, editor, project.id);
    const results = await Promise.all([
      asUser(ctx.app, owner).patch(`/tasks/${task.id}`).set('If-Match', '"1"').send({ title: 'a' }),
      asUser(ctx.app, editor).patch(`/tasks/${task.id}`).set('If-Match', '"1"').send({ title: 'b' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 412]);
  });

  it('when DELETE carries a stale If-Match, returns 412 and keeps the task', async () => {
    const { editor, project } = await projectWithEditor();
    const task = await createTask(ctx.app, editor, project.id);
    await asUser(ctx.app, editor).patch(`/tasks/${task.id}`).send({ title: 'v2' });
    expect((await asUser(ctx.app, editor).delete(`/tasks/${task.id}`).set('If-Match', '"1"')).status).toBe(
      412,
    );
    expect((await asUser(ctx.app, editor).delete(`/tasks/${task.id}`).set('If-Match', '"2"')).status).toBe(
      204,
    );
    expect((await asUser(ctx.app, editor).get(`/tasks/${task.id}`)).status).toBe(404);
  });

  it('a weak or malformed If-Match never matches (412)', async () => {
    const { editor, project } = await projectWithEditor();
    const task = await createTask(ctx.app, editor, project.id);
    expect(
      (await asUser(ctx.app, editor).patch(`/tasks/${task.id}`).set('If-Match', 'W/"1"').send({ title: 'x' }))
        .status,
    ).toBe(412);
    expect(
      (await asUser(ctx.app, editor).patch(`/tasks/${task.id}`).set('If-Match', '*').send({ title: 'x' }))
        .status,
    ).toBe(200);
  });
});

describe('moving tasks between projects', () => {
  async function twoProjects(role: 'editor' | 'viewer') {
    const { owner, editor, project } = await projectWithEditor();
    const target = await createProject(ctx.app, owner);
    await addMember(ctx.app, ctx.auth, owner, target.id, editor, role);
    return { owner, editor, project, target };
  }

  it('with write access to both, the task moves; labels stay behind, a shared assignee stays', async () => {
    const { owner, editor, project, target } = await twoProjects('editor');
    const label = await createLabel(ctx.app, owner, project.id);
    const task = await createTask(ctx.app, editor, project.id, {
      labelIds: [label.id],
      assigneeId: owner.id,
    });

    const res = await asUser(ctx.app, editor).patch(`/tasks/${task.id}`).send({ projectId: target.id });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ projectId: target.id, labelIds: [], assigneeId: owner.id });
    const inTarget = await asUser(ctx.app, editor).get(`/projects/${target.id}/tasks`);
    expect(inTarget.body.items.map((t: { id: string }) => t.id)).toContain(task.id);
  });

  it('when the user can only view the target project, returns 403 and the task stays', async () => {
    const { editor, project, target } = await twoProjects('viewer');
    const task = await createTask(ctx.app, editor, project.id);
    const res = await asUser(ctx.app, editor).patch(`/tasks/${task.id}`).send({ projectId: target.id });
    expect(res.status).toBe(403);
    expect((await asUser(ctx.app, editor).get(`/tasks/${task.id}`)).body.projectId).toBe(project.id);
  });

  it('when the user is not a member of the target project, returns 404', async () => {
    const { editor, project } = await projectWithEditor();
    const stranger = testUser('stranger');
    const foreign = await createProject(ctx.app, stranger);
    const task = await createTask(ctx.app, editor, project.id);
    const res = await asUser(ctx.app, editor).patch(`/tasks/${task.id}`).send({ projectId: foreign.id });
    expect(res.status).toBe(404);
  });
});

describe('Idempotency-Key on create', () => {
  async function post(user: TestUser, projectId: string, key: string, body: object) {
    return asUser(ctx.app, user).post(`/projects/${projectId}/tasks`).set('Idempotency-Key', key).send(body);
  }

  it('when a create is retried with the same key and body, returns the first task and creates nothing twice', async () => {
    const { editor, project } = await projectWithEditor();
    const key = randomUUID();
    const first = await post(editor, project.id, key, { title: 'Pay invoice' });
    const retry = await post(editor, project.id, key, { title: 'Pay invoice' });

    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(first.body);
    const list = await asUser(ctx.app, editor).get(`/projects/${project.id}/tasks?q=Pay invoice`);
    expect(list.body.items).toHaveLength(1);
  });

  it('when concurrent retries race, exactly one task is created', async () => {
    const { editor, project } = await projectWithEditor();
    const key = randomUUID();
    const responses = await Promise.all(
      [1, 2, 3].map(() => post(editor, project.id, key, { title: 'Race' })),
    );
    expect(responses.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
  });

  it('when the same key comes with a different body, returns 422 and creates nothing', async () => {
    const { editor, project } = await projectWithEditor();
    const key = randomUUID();
    await post(editor, project.id, key, { title: 'One' });
    const res = await post(editor, project.id, key, { title: 'Two' });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('idempotency-key-reused');
    const list = await asUser(ctx.app, editor).get(`/projects/${project.id}/tasks?q=Two`);
    expect(list.body.items).toHaveLength(0);
  });

  it('keys are per user: another user with the same key gets their own task', async () => {
    const { owner, editor, project } = await projectWithEditor();
    const key = randomUUID();
    const a = await post(owner, project.id, key, { title: 'Mine' });
    const b = await post(editor, project.id, key, { title: 'Mine' });
    expect(a.body.id).not.toBe(b.body.id);
  });

  it('when the Idempotency-Key header is malformed, returns 422 naming it', async () => {
    const { editor, project } = await projectWithEditor();
    const res = await post(editor, project.id, 'x'.repeat(300), { title: 'x' });
    expect(res.status).toBe(422);
    expect(res.body.errors['Idempotency-Key']).toBeDefined();
  });

  it('when the create fails validation, the key stays unused', async () => {
    const { editor, project } = await projectWithEditor();
    const key = randomUUID();
    expect((await post(editor, project.id, key, { title: 'x', assigneeId: randomUUID() })).status).toBe(422);
    expect((await post(editor, project.id, key, { title: 'x' })).status).toBe(201);
  });
});

describe('activity', () => {
  it('records who changed which field when, from what to what, oldest first', async () => {
    const { owner, editor, project } = await projectWithEditor();
    const label = await createLabel(ctx.app, owner, project.id);
    const task = await createTask(ctx.app, editor, project.id, { title: 'Draft' });
    await asUser(ctx.app, owner)
      .patch(`/tasks/${task.id}`)
      .send({ title: 'Final', status: 'done', labelIds: [label.id] });

    const res = await asUser(ctx.app, editor).get(`/tasks/${task.id}/activity`);
    expect(res.status).toBe(200);
    const entries = res.body.items.map((e: Record<string, unknown>) => ({
      actor: e.actorId,
      action: e.action,
      field: e.field,
      old: e.oldValue,
      new: e.newValue,
    }));
    expect(entries[0]).toEqual({ actor: editor.id, action: 'created', field: null, old: null, new: null });
    expect(entries.slice(1)).toEqual(
      expect.arrayContaining([
        { actor: owner.id, action: 'updated', field: 'title', old: 'Draft', new: 'Final' },
        { actor: owner.id, action: 'updated', field: 'status', old: 'todo', new: 'done' },
        { actor: owner.id, action: 'updated', field: 'labelIds', old: [], new: [label.id] },
        { actor: owner.id, action: 'updated', field: 'completedAt', old: null, new: expect.any(String) },
      ]),
    );
    expect(entries).toHaveLength(5);
    expect(res.body.items[0].createdAt).toEqual(expect.any(String));
  });

  it('when a label is deleted, tasks that carried it lose it, get a new version and a history entry', async () => {
    const { owner, editor, project } = await projectWithEditor();
    const keep = await createLabel(ctx.app, owner, project.id);
    const drop = await createLabel(ctx.app, owner, project.id);
    const task = await createTask(ctx.app, editor, project.id, { labelIds: [keep.id, drop.id] });

    expect((await asUser(ctx.app, editor).delete(`/projects/${project.id}/labels/${drop.id}`)).status).toBe(
      204,
    );
    const after = await asUser(ctx.app, editor).get(`/tasks/${task.id}`);
    expect(after.body).toMatchObject({ labelIds: [keep.id], version: 2 });
    const activity = await asUser(ctx.app, editor).get(`/tasks/${task.id}/activity`);
    expect(activity.body.items.at(-1)).toMatchObject({
      actorId: editor.id,
      field: 'labelIds',
      newValue: [keep.id],
    });
    expect((await asUser(ctx.app, editor).delete(`/projects/${project.id}/labels/${drop.id}`)).status).toBe(
      404,
    );
  });

  it('is paginated with a cursor', async () => {
    const { editor, project } = await projectWithEditor();
    const task = await createTask(ctx.app, editor, project.id);
    for (const title of ['a', 'b', 'c'])
      await asUser(ctx.app, editor).patch(`/tasks/${task.id}`).send({ title });
    const first = await asUser(ctx.app, editor).get(`/tasks/${task.id}/activity?limit=3`);
    const second = await asUser(ctx.app, editor).get(
      `/tasks/${task.id}/activity?limit=3&cursor=${first.body.nextCursor}`,
    );
    expect([...first.body.items, ...second.body.items].map((e: { newValue: unknown }) => e.newValue)).toEqual(
      [null, 'a', 'b', 'c'],
    );
    expect(second.body.nextCursor).toBeNull();
  });
});
