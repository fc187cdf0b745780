import { describe, expect, it } from 'vitest';
import { asUser, testUser } from '@mini/testing';
import { createProject, useTestAppWithAuth } from './helpers.ts';

const ctx = useTestAppWithAuth();

// A 201's Location names the new resource: a client that follows it must get that resource back.
describe('Location of every create', () => {
  const owner = testUser('owner');
  const grace = testUser('grace');

  const creates: Record<string, (projectId: string) => { path: string; body: object }> = {
    project: () => ({ path: '/projects', body: { name: 'Located' } }),
    task: (projectId) => ({ path: `/projects/${projectId}/tasks`, body: { title: 'Located' } }),
    label: (projectId) => ({ path: `/projects/${projectId}/labels`, body: { name: 'located' } }),
    member: (projectId) => ({
      path: `/projects/${projectId}/members`,
      body: { username: grace.username, role: 'viewer' },
    }),
  };

  it.each(Object.keys(creates))(
    'when a %s is created, following its Location answers 200 with the same resource',
    async (kind) => {
      ctx.auth.register(grace);
      const project = await createProject(ctx.app, owner);
      const { path, body } = creates[kind]!(project.id);
      const created = await asUser(ctx.app, owner).post(path).send(body);
      expect(created.status).toBe(201);
      const location = created.headers.location as string;
      expect(location).toMatch(/^\/[\w/-]+$/);

      const followed = await asUser(ctx.app, owner).get(location);
      expect(followed.status).toBe(200);
      expect(followed.body).toEqual(created.body);
    },
  );

  it('when someone who is not a member follows a Location, answers 404 as for any unknown resource', async () => {
    ctx.auth.register(grace);
    const project = await createProject(ctx.app, owner);
    const label = await asUser(ctx.app, owner).post(`/projects/${project.id}/labels`).send({ name: 'x' });
    const member = await asUser(ctx.app, owner)
      .post(`/projects/${project.id}/members`)
      .send({ username: grace.username, role: 'viewer' });
    const stranger = testUser('stranger');
    for (const location of [label.headers.location, member.headers.location] as string[]) {
      const res = await asUser(ctx.app, stranger).get(location);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('project-not-found');
    }
  });
});
