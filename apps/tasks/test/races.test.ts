import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, as, buildTestAppWithAuth, createProject, createTask, makeUser } from './helpers.ts';

let ctx: Awaited<ReturnType<typeof buildTestAppWithAuth>>;
beforeAll(async () => {
  ctx = await buildTestAppWithAuth();
});
afterAll(() => ctx.close());

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
