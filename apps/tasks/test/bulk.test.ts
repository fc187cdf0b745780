import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { asUser, testUser } from '@mini/testing';
import {
  addMember,
  createLabel,
  createProject,
  createTask,
  createTasks,
  useTestAppWithAuth,
} from './helpers.ts';

const ctx = useTestAppWithAuth();

describe('POST /tasks/bulk', () => {
  it('changes status, assignee and labels of several tasks in one request, with history', async () => {
    const owner = testUser('owner');
    const grace = testUser('grace');
    const project = await createProject(ctx.app, owner);
    await addMember(ctx.app, ctx.auth, owner, project.id, grace, 'editor');
    const bug = await createLabel(ctx.app, owner, project.id);
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await createTask(ctx.app, owner, project.id)).id);

    const res = await asUser(ctx.app, owner)
      .post('/tasks/bulk')
      .send({ taskIds: ids, set: { status: 'done', assigneeId: grace.id, addLabelIds: [bug.id] } });

    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(3);
    for (const task of res.body.items) {
      expect(task).toMatchObject({
        status: 'done',
        assigneeId: grace.id,
        labelIds: [bug.id],
        version: 2,
        completedAt: expect.any(String),
      });
    }
    const activity = await asUser(ctx.app, owner).get(`/tasks/${ids[0]}/activity`);
    expect(activity.body.items.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['status', 'assigneeId', 'labelIds', 'completedAt']),
    );

    const removed = await asUser(ctx.app, owner)
      .post('/tasks/bulk')
      .send({ taskIds: ids, set: { removeLabelIds: [bug.id] } });
    expect(removed.body.items.every((t: { labelIds: string[] }) => t.labelIds.length === 0)).toBe(true);
  });

  it('when one task is not visible to the caller, returns 404 and changes none of them', async () => {
    const owner = testUser('owner');
    const project = await createProject(ctx.app, owner);
    const mine = await createTask(ctx.app, owner, project.id);
    const stranger = testUser('stranger');
    const foreign = await createTask(ctx.app, stranger, (await createProject(ctx.app, stranger)).id);
    const res = await asUser(ctx.app, owner)
      .post('/tasks/bulk')
      .send({ taskIds: [mine.id, foreign.id], set: { status: 'done' } });
    expect(res.status).toBe(404);
    expect(res.body.missingTaskIds).toEqual([foreign.id]);
    expect((await asUser(ctx.app, stranger).get(`/tasks/${foreign.id}`)).body.status).toBe('todo');
    expect((await asUser(ctx.app, owner).get(`/tasks/${mine.id}`)).body).toMatchObject({
      status: 'todo',
      version: 1,
    });
  });

  it('when the last change of the batch is invalid, the earlier ones are rolled back (all or nothing)', async () => {
    const owner = testUser('owner');
    const grace = testUser('grace');
    const a = await createProject(ctx.app, owner);
    const b = await createProject(ctx.app, owner);
    await addMember(ctx.app, ctx.auth, owner, a.id, grace, 'editor');
    const inA = await createTask(ctx.app, owner, a.id);
    const inB = await createTask(ctx.app, owner, b.id);

    // grace is a member of a but not of b: assigning her is valid for the first task only.
    const res = await asUser(ctx.app, owner)
      .post('/tasks/bulk')
      .send({ taskIds: [inA.id, inB.id], set: { assigneeId: grace.id, status: 'in_progress' } });
    expect(res.status).toBe(422);
    const first = await asUser(ctx.app, owner).get(`/tasks/${inA.id}`);
    expect(first.body).toMatchObject({ assigneeId: null, status: 'todo', version: 1 });
    const history = await asUser(ctx.app, owner).get(`/tasks/${inA.id}/activity`);
    expect(history.body.items).toHaveLength(1);
  });

  it('when the caller is a viewer in one of the projects, returns 403 and changes nothing', async () => {
    const owner = testUser('owner');
    const grace = testUser('grace');
    const writable = await createProject(ctx.app, grace);
    const readOnly = await createProject(ctx.app, owner);
    await addMember(ctx.app, ctx.auth, owner, readOnly.id, grace, 'viewer');
    const t1 = await createTask(ctx.app, grace, writable.id);
    const t2 = await createTask(ctx.app, owner, readOnly.id);
    const res = await asUser(ctx.app, grace)
      .post('/tasks/bulk')
      .send({ taskIds: [t1.id, t2.id], set: { status: 'done' } });
    expect(res.status).toBe(403);
    expect((await asUser(ctx.app, grace).get(`/tasks/${t1.id}`)).body.status).toBe('todo');
  });

  it('when more than 100 tasks are sent, returns 422 with errors.taskIds', async () => {
    const taskIds = Array.from({ length: 101 }, () => randomUUID());
    const res = await asUser(ctx.app, testUser())
      .post('/tasks/bulk')
      .send({ taskIds, set: { status: 'done' } });
    expect(res.status).toBe(422);
    expect(res.body.errors.taskIds).toBeDefined();
  });

  it('100 tasks are changed in one request', async () => {
    const owner = testUser('owner');
    const project = await createProject(ctx.app, owner);
    const ids = (await createTasks(ctx.app, owner, project.id, 100)).map((t) => t.id);
    const res = await asUser(ctx.app, owner)
      .post('/tasks/bulk')
      .send({ taskIds: ids, set: { status: 'in_progress' } });
    expect(res.status).toBe(200);
    expect(res.body.items.every((t: { status: string }) => t.status === 'in_progress')).toBe(true);
  });

  it('when the change is empty, returns 422', async () => {
    const res = await asUser(ctx.app, testUser())
      .post('/tasks/bulk')
      .send({ taskIds: [randomUUID()], set: {} });
    expect(res.status).toBe(422);
  });
});

describe('POST /tasks/bulk cost', () => {
  /** Counts the SQL statements the app sends while `fn` runs (every pooled connection is a pg Client). */
  async function statementsDuring(fn: () => Promise<unknown>): Promise<number> {
    const client = (
      ctx.db.pool as unknown as { Client: { prototype: { query: (...args: unknown[]) => unknown } } }
    ).Client.prototype;
    const original = client.query;
    let count = 0;
    client.query = function (this: unknown, ...args: unknown[]) {
      count++;
      return original.apply(this, args);
    };
    try {
      await fn();
    } finally {
      client.query = original;
    }
    return count;
  }

  it('when 100 tasks in two projects are changed at once, it sends about as many statements as for 10 (no per-task checks)', async () => {
    const owner = testUser('owner');
    const grace = testUser('grace');
    const ids: string[] = [];
    for (let p = 0; p < 2; p++) {
      const project = await createProject(ctx.app, owner);
      await addMember(ctx.app, ctx.auth, owner, project.id, grace, 'editor');
      ids.push(...(await createTasks(ctx.app, owner, project.id, 50)).map((t) => t.id));
    }
    const bulk = (taskIds: string[], set: object) => async () => {
      const res = await asUser(ctx.app, owner).post('/tasks/bulk').send({ taskIds, set });
      expect(res.status).toBe(200);
    };
    // Ten from each project, then all fifty of each: the same kinds of change.
    const few = [...ids.slice(0, 5), ...ids.slice(50, 55)];
    const small = await statementsDuring(bulk(few, { status: 'done', assigneeId: grace.id }));
    const large = await statementsDuring(bulk(ids, { status: 'in_progress', assigneeId: owner.id }));
    expect(large - small).toBeLessThan(10);

    // And the result is all there: every task changed, with its history.
    const task = await asUser(ctx.app, owner).get(`/tasks/${ids[99]}`);
    expect(task.body).toMatchObject({ status: 'in_progress', assigneeId: owner.id, version: 2 });
  });
});
