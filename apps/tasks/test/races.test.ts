import { describe, expect, it } from 'vitest';
import { asUser, type TestUser, testUser } from '@mini/testing';
import { createStore } from '../src/repositories.ts';
import { addMember, createLabel, createProject, createTask, useTestAppWithAuth } from './helpers.ts';
import { blockedBy, holdLocks, inFlight, type LockHolder } from './locks.ts';

const ctx = useTestAppWithAuth();

// Each race is played in one certain order: the test freezes the first request at a chosen point by holding
// a row lock it needs next (holdLocks), starts the competing request, and checks that this one waits for the
// first (blockedBy). Without the lock under test, the second request does not wait and the test fails.

interface ActivityEntry {
  field: string | null;
  oldValue: unknown;
  newValue: unknown;
}

async function historyOf(owner: TestUser, taskId: string, field: string): Promise<ActivityEntry[]> {
  const res = await asUser(ctx.app, owner).get(`/tasks/${taskId}/activity?limit=100`);
  return (res.body.items as ActivityEntry[]).filter((entry) => entry.field === field);
}

describe('membership races', () => {
  it('when an assignment is in flight, removing the assignee waits for it and then unassigns the task', async () => {
    const owner = testUser('owner');
    const member = testUser('member');
    const project = await createProject(ctx.app, owner);
    await addMember(ctx.app, ctx.auth, owner, project.id, member, 'editor');
    const task = await createTask(ctx.app, owner, project.id);

    // The assignment takes the project (shared), then stops at the task row, which the test holds: before it
    // has looked at the assignee's membership, so only the project lock can make the removal wait.
    const holder = await holdLocks();
    try {
      await holder.lock('SELECT 1 FROM tasks WHERE id = $1 FOR UPDATE', [task.id]);
      const assign = inFlight(
        asUser(ctx.app, owner).patch(`/tasks/${task.id}`).send({ assigneeId: member.id }),
      );
      const [writer] = await blockedBy(holder.pid, [assign]);
      const remove = inFlight(asUser(ctx.app, owner).delete(`/projects/${project.id}/members/${member.id}`));
      await blockedBy(writer as number, [remove]);
      await holder.release();

      expect((await assign.done).status).toBe(200);
      expect((await remove.done).status).toBe(204);
    } finally {
      await holder.release();
    }
    const after = await asUser(ctx.app, owner).get(`/tasks/${task.id}`);
    expect(after.body.assigneeId).toBeNull();
    const history = await historyOf(owner, task.id, 'assigneeId');
    expect(history.map((e) => [e.oldValue, e.newValue])).toEqual([
      [null, member.id],
      [member.id, null],
    ]);
  });

  it('when a create with an assignee is in flight, removing the assignee waits for it and then unassigns the new task', async () => {
    const owner = testUser('owner');
    const member = testUser('member');
    const project = await createProject(ctx.app, owner);
    await addMember(ctx.app, ctx.auth, owner, project.id, member, 'editor');

    // The create takes the project (shared), then stops at the assignee's membership row, which it locks
    // too (FOR SHARE): the removal waits for it there even if it does not on the project.
    const holder = await holdLocks();
    try {
      await holder.lock('SELECT 1 FROM project_members WHERE project_id = $1 AND user_id = $2 FOR UPDATE', [
        project.id,
        member.id,
      ]);
      const create = inFlight(
        asUser(ctx.app, owner)
          .post(`/projects/${project.id}/tasks`)
          .send({ title: 'Race', assigneeId: member.id }),
      );
      const [writer] = await blockedBy(holder.pid, [create]);
      const remove = inFlight(asUser(ctx.app, owner).delete(`/projects/${project.id}/members/${member.id}`));
      await blockedBy(writer as number, [remove]);
      await holder.release();

      expect((await create.done).status).toBe(201);
      expect((await remove.done).status).toBe(204);
    } finally {
      await holder.release();
    }
    const list = await asUser(ctx.app, owner).get(`/projects/${project.id}/tasks`);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0].assigneeId).toBeNull();
  });
});

describe('position races', () => {
  it('when 8 tasks are created at once without a position, they take turns and each gets its own position at the end', async () => {
    const owner = testUser('owner');
    const project = await createProject(ctx.app, owner);
    const first = await createTask(ctx.app, owner, project.id);

    // The appends of one project take turns on its position lock (see nextPosition); the test holds it.
    const holder = await holdLocks();
    try {
      await holder.lock('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `tasks.position:${project.id}`,
      ]);
      const creates = Array.from({ length: 8 }, (_, i) =>
        inFlight(
          asUser(ctx.app, owner)
            .post(`/projects/${project.id}/tasks`)
            .send({ title: `Parallel ${i}` }),
        ),
      );
      await blockedBy(holder.pid, creates);
      await holder.release();

      const created = await Promise.all(creates.map((create) => create.done));
      expect(created.map((res) => res.status)).toEqual(Array(8).fill(201));
      const positions = created.map((res) => res.body.position as number);
      expect(new Set(positions).size).toBe(8);
      const firstPosition = (await asUser(ctx.app, owner).get(`/tasks/${first.id}`)).body.position;
      for (const position of positions) expect(position).toBeGreaterThan(firstPosition);
    } finally {
      await holder.release();
    }
  });
});

describe('label deletion races', () => {
  it('when an edit taking a label off a task is in flight, deleting that label waits for it before touching the task, and the history follows the labels', async () => {
    const owner = testUser('owner');
    const project = await createProject(ctx.app, owner);
    const doomed = await createLabel(ctx.app, owner, project.id, 'doomed');
    const kept = await createLabel(ctx.app, owner, project.id, 'kept');
    const task = await createTask(ctx.app, owner, project.id, { labelIds: [doomed.id] });

    // The edit holds the task row, then stops at the label it adds, which the test holds.
    const holder = await holdLocks();
    const probe = await holdLocks();
    try {
      await holder.lock('SELECT 1 FROM labels WHERE id = $1 FOR UPDATE', [kept.id]);
      const edit = inFlight(
        asUser(ctx.app, owner)
          .patch(`/tasks/${task.id}`)
          .send({ labelIds: [kept.id] }),
      );
      const [writer] = await blockedBy(holder.pid, [edit]);
      const remove = inFlight(asUser(ctx.app, owner).delete(`/projects/${project.id}/labels/${doomed.id}`));
      await blockedBy(writer as number, [remove]);
      // The deletion waits before it changes anything of the task: the task's label rows are free.
      await expect(
        probe.lock('SELECT 1 FROM task_labels WHERE task_id = $1 FOR KEY SHARE NOWAIT', [task.id]),
      ).resolves.toBeUndefined();
      await probe.release();
      await holder.release();

      expect((await edit.done).status).toBe(200);
      expect((await remove.done).status).toBe(204);
    } finally {
      await probe.release();
      await holder.release();
    }
    const after = await asUser(ctx.app, owner).get(`/tasks/${task.id}`);
    expect(after.body.labelIds).toEqual([kept.id]);
    const history = await historyOf(owner, task.id, 'labelIds');
    expect(history.map((e) => [e.oldValue, e.newValue])).toEqual([[[doomed.id], [kept.id]]]);
  });

  it('when an edit adding a label to a task is in flight, deleting that label waits for it and takes it off the task with a history entry', async () => {
    const owner = testUser('owner');
    const project = await createProject(ctx.app, owner);
    const doomed = await createLabel(ctx.app, owner, project.id, 'doomed');
    const kept = await createLabel(ctx.app, owner, project.id, 'kept');
    const task = await createTask(ctx.app, owner, project.id, { labelIds: [kept.id] });
    const both = [doomed.id, kept.id].sort();

    // The edit holds the labels it sets (doomed among them), then stops at the task's label rows.
    const holder = await holdLocks();
    try {
      await holder.lock('SELECT 1 FROM task_labels WHERE task_id = $1 FOR UPDATE', [task.id]);
      const edit = inFlight(asUser(ctx.app, owner).patch(`/tasks/${task.id}`).send({ labelIds: both }));
      const [writer] = await blockedBy(holder.pid, [edit]);
      const remove = inFlight(asUser(ctx.app, owner).delete(`/projects/${project.id}/labels/${doomed.id}`));
      await blockedBy(writer as number, [remove]);
      await holder.release();

      expect((await edit.done).status).toBe(200);
      expect((await remove.done).status).toBe(204);
    } finally {
      await holder.release();
    }
    const after = await asUser(ctx.app, owner).get(`/tasks/${task.id}`);
    expect(after.body.labelIds).toEqual([kept.id]);
    const history = await historyOf(owner, task.id, 'labelIds');
    expect(history.map((e) => [e.oldValue, e.newValue])).toEqual([
      [[kept.id], both],
      [both, [kept.id]],
    ]);
  });
});

describe('writes into a project that is being deleted', () => {
  // The deletion holds the project row and cascades; the test holds one of its labels to stop it midway.
  async function deletionInFlight(owner: TestUser, projectId: string, holder: LockHolder) {
    const label = await createLabel(ctx.app, owner, projectId);
    await holder.lock('SELECT 1 FROM labels WHERE id = $1 FOR UPDATE', [label.id]);
    const deletion = inFlight(asUser(ctx.app, owner).delete(`/projects/${projectId}`));
    const [deleter] = await blockedBy(holder.pid, [deletion]);
    return { deletion, deleter: deleter as number };
  }

  it('when a label is created while its project is being deleted, it waits and answers 404, not a foreign-key error', async () => {
    const owner = testUser('owner');
    const project = await createProject(ctx.app, owner);
    const holder = await holdLocks();
    try {
      const { deletion, deleter } = await deletionInFlight(owner, project.id, holder);
      const create = inFlight(
        asUser(ctx.app, owner).post(`/projects/${project.id}/labels`).send({ name: 'late' }),
      );
      await blockedBy(deleter, [create]);
      await holder.release();

      expect((await deletion.done).status).toBe(204);
      const created = await create.done;
      expect({ status: created.status, code: created.body.code }).toEqual({
        status: 404,
        code: 'project-not-found',
      });
    } finally {
      await holder.release();
    }
  });

  it('when a member is added while the project is being deleted, it waits and answers 404, not a foreign-key error', async () => {
    const owner = testUser('owner');
    const newcomer = testUser('newcomer');
    ctx.auth.register(newcomer);
    const project = await createProject(ctx.app, owner);
    const holder = await holdLocks();
    try {
      const { deletion, deleter } = await deletionInFlight(owner, project.id, holder);
      const add = inFlight(
        asUser(ctx.app, owner)
          .post(`/projects/${project.id}/members`)
          .send({ username: newcomer.username, role: 'editor' }),
      );
      await blockedBy(deleter, [add]);
      await holder.release();

      expect((await deletion.done).status).toBe(204);
      const added = await add.done;
      expect({ status: added.status, code: added.body.code }).toEqual({
        status: 404,
        code: 'project-not-found',
      });
    } finally {
      await holder.release();
    }
  });
});

describe('member removal with many assigned tasks', () => {
  it('when a member assigned to many tasks is removed while bulk changes touch the same tasks, nothing fails and every task ends unassigned', async () => {
    const owner = testUser('owner');
    const member = testUser('member');
    const project = await createProject(ctx.app, owner);
    await addMember(ctx.app, ctx.auth, owner, project.id, member, 'editor');
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      ids.push((await createTask(ctx.app, owner, project.id, { assigneeId: member.id })).id);
    }
    const [bulkA, remove, bulkB] = await Promise.all([
      asUser(ctx.app, owner)
        .post('/tasks/bulk')
        .send({ taskIds: ids, set: { status: 'in_progress' } }),
      asUser(ctx.app, owner).delete(`/projects/${project.id}/members/${member.id}`),
      asUser(ctx.app, owner)
        .post('/tasks/bulk')
        .send({ taskIds: [...ids].reverse(), set: { status: 'done' } }),
    ]);
    expect(remove.status).toBe(204);
    expect([bulkA.status, bulkB.status]).toEqual([200, 200]);
    const list = await asUser(ctx.app, owner).get(`/projects/${project.id}/tasks?limit=100`);
    expect(list.body.items.map((t: { assigneeId: string | null }) => t.assigneeId)).toEqual(
      Array(12).fill(null),
    );
  });
});

describe('transactions that lose a race', () => {
  const deadlock = () =>
    Object.assign(new Error('deadlock detected'), {
      code: 'P2010',
      meta: { driverAdapterError: { cause: { originalCode: '40P01' } } },
    });

  it('when a transaction hits a deadlock once, the store runs it again and it succeeds', async () => {
    const store = createStore(ctx.db);
    let attempts = 0;
    const result = await store.transaction(async () => {
      attempts++;
      if (attempts === 1) throw deadlock();
      return 'done';
    });
    expect({ result, attempts }).toEqual({ result: 'done', attempts: 2 });
  });

  it('when a transaction keeps losing, the store gives up after 3 attempts with the original error', async () => {
    const store = createStore(ctx.db);
    let attempts = 0;
    await expect(
      store.transaction(async () => {
        attempts++;
        throw deadlock();
      }),
    ).rejects.toMatchObject({ code: 'P2010' });
    expect(attempts).toBe(3);
  });
});
