import { describe, expect, it } from 'vitest';
import { asUser, testUser } from '@mini/testing';
import { createLabel, createProject, useTestAppWithAuth } from './helpers.ts';

const ctx = useTestAppWithAuth();

describe('labels', () => {
  it('when a label is created, returns 201 with the default colour, and lists labels by name', async () => {
    const owner = testUser('owner');
    const project = await createProject(ctx.app, owner);
    const res = await asUser(ctx.app, owner).post(`/projects/${project.id}/labels`).send({ name: 'ops' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'ops', color: '#808080', projectId: project.id });
    await createLabel(ctx.app, owner, project.id, 'bug');

    const list = await asUser(ctx.app, owner).get(`/projects/${project.id}/labels`);
    expect(list.body.items.map((l: { name: string }) => l.name)).toEqual(['bug', 'ops']);
    expect(list.body.nextCursor).toBeNull();
  });

  it('when the project already has a label with that name, returns 409 with errors.name', async () => {
    const owner = testUser('owner');
    const project = await createProject(ctx.app, owner);
    await createLabel(ctx.app, owner, project.id, 'bug');
    const res = await asUser(ctx.app, owner).post(`/projects/${project.id}/labels`).send({ name: 'bug' });
    expect(res.status).toBe(409);
    expect(res.body.errors.name).toBeDefined();
  });

  it('the same name may be used in two projects', async () => {
    const owner = testUser('owner');
    const a = await createProject(ctx.app, owner);
    const b = await createProject(ctx.app, owner);
    await createLabel(ctx.app, owner, a.id, 'bug');
    expect((await asUser(ctx.app, owner).post(`/projects/${b.id}/labels`).send({ name: 'bug' })).status).toBe(
      201,
    );
  });

  it('when the colour is not #rrggbb, returns 422 with errors.color', async () => {
    const owner = testUser('owner');
    const project = await createProject(ctx.app, owner);
    const res = await asUser(ctx.app, owner)
      .post(`/projects/${project.id}/labels`)
      .send({ name: 'x', color: 'red' });
    expect(res.status).toBe(422);
    expect(res.body.errors.color).toBeDefined();
  });

  it("when a label id of another project is deleted through this project's path, returns 404", async () => {
    const owner = testUser('owner');
    const a = await createProject(ctx.app, owner);
    const b = await createProject(ctx.app, owner);
    const label = await createLabel(ctx.app, owner, b.id);
    expect((await asUser(ctx.app, owner).delete(`/projects/${a.id}/labels/${label.id}`)).status).toBe(404);
  });
});
