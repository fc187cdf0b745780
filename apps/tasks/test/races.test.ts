import { describe, expect, it } from 'vitest';
import { createStore } from '../src/repositories.ts';
import {
  addMember,
  as,
  createLabel,
  createProject,
  createTask,
  makeUser,
  useTestAppWithAuth,
} from './helpers.ts';

const ctx = useTestAppWithAuth();

describe('membership races', () => {
  it('when an assignment and the removal of the assignee race, the task never ends up assigned to a non-member (15 rounds)', async () => {
    for (let round = 0; round < 15; round++) {
      const owner = makeUser('owner');
      const member = makeUser('member');
      const project = await createProject(ctx.app, owner);
      await addMember(ctx.app, ctx.auth, owner, project.id, member, 'editor');
      const task = await createTask(ctx.app, owner, project.id);

      const [assign, remove] = await Promise.all([
        as(ctx.app, owner).patch(`/tasks/${task.id}`).send({ assigneeId: member.id }),
        as(ctx.app, owner).delete(`/projects/${project.id}/members/${member.id}`),
      ]);
      expect(remove.status).toBe(204);
      expect([200, 422]).toContain(assign.status);

      const after = await as(ctx.app, owner).get(`/tasks/${task.id}`);
      expect({ round, assigneeId: after.body.assigneeId }).toEqual({ round, assigneeId: null });
    }
  });

  it('when a create with an assignee and the removal of the assignee race, no task is left assigned to a non-member (15 rounds)', async () => {
    for (let round = 0; round < 15; round++) {
      const owner = makeUser('owner');
      const member = makeUser('member');
      const project = await createProject(ctx.app, owner);
      await addMember(ctx.app, ctx.auth, owner, project.id, member, 'editor');

      const [create, remove] = await Promise.all([
        as(ctx.app, owner)
          .post(`/projects/${project.id}/tasks`)
          .send({ title: 'Race', assigneeId: member.id }),
        as(ctx.app, owner).delete(`/projects/${project.id}/members/${member.id}`),
      ]);
      expect(remove.status).toBe(204);
      expect([201, 422]).toContain(create.status);

      const list = await as(ctx.app, owner).get(`/projects/${project.id}/tasks`);
      expect({
        round,
        assigned: list.body.items.filter((t: { assigneeId: string | null }) => t.assigneeId),
      }).toEqual({ round, assigned: [] });
    }
  });
});

describe('position races', () => {
  it('when 8 tasks are created in parallel without a position, each gets its own position at the end', async () => {
    const owner = makeUser('owner');
    const project = await createProject(ctx.app, owner);
    const first = await createTask(ctx.app, owner, project.id);
    const created = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        as(ctx.app, owner)
          .post(`/projects/${project.id}/tasks`)
          .send({ title: `Parallel ${i}` }),
      ),
    );
    expect(created.map((res) => res.status)).toEqual(Array(8).fill(201));
    const positions = created.map((res) => res.body.position as number);
    expect(new Set(positions).size).toBe(8);
    const firstPosition = (await as(ctx.app, owner).get(`/tasks/${first.id}`)).body.position;
    for (const position of positions) expect(position).toBeGreaterThan(firstPosition);
  });
});

describe('label deletion races', () => {
  it('when a label is deleted while a task carrying it gets another label, the history matches the labels the task ends with (15 rounds)', async () => {
    for (let round = 0; round < 15; round++) {
      const owner = makeUser('owner');
      const project = await createProject(ctx.app, owner);
      const doomed = await createLabel(ctx.app, owner, project.id, 'doomed');
      const kept = await createLabel(ctx.app, owner, project.id, 'kept');
      const task = await createTask(ctx.app, owner, project.id, { labelIds: [doomed.id] });

      const [edit, remove] = await Promise.all([
        as(ctx.app, owner)
          .patch(`/tasks/${task.id}`)
          .send({ labelIds: [doomed.id, kept.id] }),
        as(ctx.app, owner).delete(`/projects/${project.id}/labels/${doomed.id}`),
      ]);
      expect(remove.status).toBe(204);
      expect([200, 422]).toContain(edit.status);

      const after = await as(ctx.app, owner).get(`/tasks/${task.id}`);
      const history = await as(ctx.app, owner).get(`/tasks/${task.id}/activity?limit=100`);
      const labelEntries = history.body.items.filter((e: { field: string }) => e.field === 'labelIds');
      const last = labelEntries[labelEntries.length - 1];
      expect({ round, labels: after.body.labelIds }).toEqual({ round, labels: last.newValue });
      expect(after.body.labelIds).not.toContain(doomed.id);
      // Every labelIds entry starts from what the one before it left.
      for (let i = 1; i < labelEntries.length; i++) {
        expect(labelEntries[i].oldValue).toEqual(labelEntries[i - 1].newValue);
      }
    }
  });
});

describe('member removal with many assigned tasks', () => {
  it('when a member assigned to many tasks is removed while bulk changes touch the same tasks, nothing fails and every task ends unassigned', async () => {
    const owner = makeUser('owner');
    const member = makeUser('member');
    const project = await createProject(ctx.app, owner);
    await addMember(ctx.app, ctx.auth, owner, project.id, member, 'editor');
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      ids.push((await createTask(ctx.app, owner, project.id, { assigneeId: member.id })).id);
    }
    const [bulkA, remove, bulkB] = await Promise.all([
      as(ctx.app, owner)
        .post('/tasks/bulk')
        .send({ taskIds: ids, set: { status: 'in_progress' } }),
      as(ctx.app, owner).delete(`/projects/${project.id}/members/${member.id}`),
      as(ctx.app, owner)
        .post('/tasks/bulk')
        .send({ taskIds: [...ids].reverse(), set: { status: 'done' } }),
    ]);
    expect(remove.status).toBe(204);
    expect([bulkA.status, bulkB.status]).toEqual([200, 200]);
    const list = await as(ctx.app, owner).get(`/projects/${project.id}/tasks?limit=100`);
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
