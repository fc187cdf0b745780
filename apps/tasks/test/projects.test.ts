import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { addMember, as, createProject, createTask, makeUser, useTestAppWithAuth } from './helpers.ts';

const ctx = useTestAppWithAuth();

describe('projects', () => {
  it('when a user creates a project, returns 201 with the user as owner and a Location header', async () => {
    const ada = makeUser('ada');
    const res = await as(ctx.app, ada).post('/projects').send({ name: '  Launch  ', description: 'May' });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/projects/${res.body.id}`);
    expect(res.body).toMatchObject({
      name: 'Launch',
      description: 'May',
      role: 'owner',
      archived: false,
      createdBy: ada.id,
    });
  });

  it('when the request has no token, returns 401 problem+json with WWW-Authenticate', async () => {
    const res = await request(ctx.app).get('/projects');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  });

  it('when the body has an unknown field, returns 422 naming it (no mass assignment)', async () => {
    const res = await as(ctx.app, makeUser()).post('/projects').send({ name: 'x', createdBy: 'someone' });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual({ createdBy: ['Unknown field'] });
  });

  it('when the name is blank, returns 422 with errors.name', async () => {
    const res = await as(ctx.app, makeUser()).post('/projects').send({ name: '   ' });
    expect(res.status).toBe(422);
    expect(res.body.errors.name).toBeDefined();
  });

  it('lists only the projects the user is a member of, newest first, with cursor pagination', async () => {
    const ada = makeUser('ada');
    const bob = makeUser('bob');
    const mine = [];
    for (let i = 0; i < 3; i++) mine.push(await createProject(ctx.app, ada, { name: `ada ${i}` }));
    await createProject(ctx.app, bob);
    const shared = await createProject(ctx.app, bob, { name: 'shared with ada' });
    await addMember(ctx.app, ctx.auth, bob, shared.id, ada, 'viewer');

    const first = await as(ctx.app, ada).get('/projects?limit=2');
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await as(ctx.app, ada).get(`/projects?limit=2&cursor=${first.body.nextCursor}`);
    const names = [...first.body.items, ...second.body.items].map((p: { name: string }) => p.name);
    expect(second.body.nextCursor).toBeNull();
    expect(names).toEqual(['shared with ada', 'ada 2', 'ada 1', 'ada 0']);
    expect(second.body.items.find((p: { name: string }) => p.name === 'shared with ada')).toBeUndefined();
    expect(first.body.items[0].role).toBe('viewer');
  });

  it('when limit is above 100, returns 422 with errors.limit', async () => {
    const res = await as(ctx.app, makeUser()).get('/projects?limit=101');
    expect(res.status).toBe(422);
    expect(res.body.errors.limit).toBeDefined();
  });

  it('when a cursor is tampered with, returns 422 with errors.cursor', async () => {
    const res = await as(ctx.app, makeUser()).get('/projects?cursor=bm90LWEtY3Vyc29y');
    expect(res.status).toBe(422);
    expect(res.body.errors.cursor).toBeDefined();
  });

  it('when the owner archives a project, it leaves the default list, shows under archived=true, and its tasks become read-only (409)', async () => {
    const ada = makeUser('ada');
    const project = await createProject(ctx.app, ada);
    const task = await createTask(ctx.app, ada, project.id);

    const archived = await as(ctx.app, ada).patch(`/projects/${project.id}`).send({ archived: true });
    expect(archived.status).toBe(200);
    expect(archived.body).toMatchObject({ archived: true, archivedAt: expect.any(String) });

    const active = await as(ctx.app, ada).get('/projects');
    expect(active.body.items.map((p: { id: string }) => p.id)).not.toContain(project.id);
    const listed = await as(ctx.app, ada).get('/projects?archived=true');
    expect(listed.body.items.map((p: { id: string }) => p.id)).toContain(project.id);

    const write = await as(ctx.app, ada).patch(`/tasks/${task.id}`).send({ title: 'changed' });
    expect(write.status).toBe(409);
    expect(write.body.code).toBe('project-archived');

    const unarchived = await as(ctx.app, ada).patch(`/projects/${project.id}`).send({ archived: false });
    expect(unarchived.body.archived).toBe(false);
    expect((await as(ctx.app, ada).patch(`/tasks/${task.id}`).send({ title: 'changed' })).status).toBe(200);
  });

  it('when an editor renames or deletes the project, returns 403; the owner may', async () => {
    const owner = makeUser('owner');
    const editor = makeUser('editor');
    const project = await createProject(ctx.app, owner);
    await addMember(ctx.app, ctx.auth, owner, project.id, editor, 'editor');

    expect(
      (await as(ctx.app, editor).patch(`/projects/${project.id}`).send({ name: 'mine now' })).status,
    ).toBe(403);
    expect((await as(ctx.app, editor).delete(`/projects/${project.id}`)).status).toBe(403);

    const renamed = await as(ctx.app, owner)
      .patch(`/projects/${project.id}`)
      .send({ name: 'Renamed', description: null });
    expect(renamed.body).toMatchObject({ name: 'Renamed', description: null });
    expect((await as(ctx.app, owner).delete(`/projects/${project.id}`)).status).toBe(204);
    expect((await as(ctx.app, owner).get(`/projects/${project.id}`)).status).toBe(404);
  });

  it('when the project is deleted, its tasks are gone too', async () => {
    const owner = makeUser('owner');
    const project = await createProject(ctx.app, owner);
    const task = await createTask(ctx.app, owner, project.id);
    await as(ctx.app, owner).delete(`/projects/${project.id}`);
    expect((await as(ctx.app, owner).get(`/tasks/${task.id}`)).status).toBe(404);
  });
});

describe('operations', () => {
  it('/openapi.json documents every route with examples, including If-Match, Idempotency-Key, ETag and 304', async () => {
    const res = await request(ctx.app).get('/openapi.json');
    expect(res.status).toBe(200);
    type Operation = {
      parameters?: Array<{ name: string; in: string }>;
      responses: Record<string, { headers?: Record<string, unknown> }>;
    };
    const paths = res.body.paths as Record<string, Record<string, Operation>>;
    expect(Object.keys(paths).sort()).toEqual(
      [
        '/projects',
        '/projects/{projectId}',
        '/projects/{projectId}/labels',
        '/projects/{projectId}/labels/{labelId}',
        '/projects/{projectId}/members',
        '/projects/{projectId}/members/{userId}',
        '/projects/{projectId}/tasks',
        '/tasks',
        '/tasks/bulk',
        '/tasks/{taskId}',
        '/tasks/{taskId}/activity',
      ].sort(),
    );
    expect(paths['/tasks/{taskId}']?.patch?.parameters?.map((p) => p.name)).toContain('If-Match');
    expect(paths['/projects/{projectId}/tasks']?.post?.parameters?.map((p) => p.name)).toContain(
      'Idempotency-Key',
    );
    expect(paths['/tasks/{taskId}']?.get?.parameters).toContainEqual(
      expect.objectContaining({ name: 'If-None-Match', in: 'header' }),
    );
    expect(paths['/tasks/{taskId}']?.get?.responses['304']).toBeDefined();
    for (const [path, method, status] of [
      ['/projects/{projectId}/tasks', 'post', '201'],
      ['/tasks/{taskId}', 'get', '200'],
      ['/tasks/{taskId}', 'patch', '200'],
    ] as const) {
      expect(paths[path]?.[method]?.responses[status]?.headers?.ETag, `${method} ${path}`).toBeDefined();
    }
    expect(res.body.components.schemas.Task.example).toBeDefined();
  });

  it('/openapi.json has an example for every request body and every 2xx answer with a body', async () => {
    const doc = (await request(ctx.app).get('/openapi.json')).body;
    type Schema = { $ref?: string; example?: unknown; examples?: unknown };
    type Content = Record<string, { schema: Schema; example?: unknown }>;
    const resolve = (schema: Schema): Schema =>
      schema.$ref ? resolve(doc.components.schemas[schema.$ref.split('/').pop() as string]) : schema;
    const hasExample = (content: Content) =>
      Object.values(content).every(
        (media) => media.example !== undefined || resolve(media.schema).example !== undefined,
      );
    const missing: string[] = [];
    for (const [path, operations] of Object.entries(doc.paths as Record<string, object>)) {
      for (const [method, op] of Object.entries(
        operations as Record<
          string,
          { requestBody?: { content: Content }; responses: Record<string, { content?: Content }> }
        >,
      )) {
        if (op.requestBody && !hasExample(op.requestBody.content)) missing.push(`${method} ${path} body`);
        for (const [status, response] of Object.entries(op.responses)) {
          if (status.startsWith('2') && response.content && !hasExample(response.content)) {
            missing.push(`${method} ${path} ${status}`);
          }
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('/openapi.json shows examples of the errors clients must handle', async () => {
    const doc = (await request(ctx.app).get('/openapi.json')).body;
    const codes = (path: string, method: string, status: string) =>
      Object.values(
        (doc.paths[path][method].responses[status]?.content?.['application/problem+json']?.examples ??
          {}) as Record<string, { value: { code: string; status: number } }>,
      ).map((example) => `${example.value.status} ${example.value.code}`);
    expect(codes('/projects/{projectId}/members', 'post', '422')).toEqual(['422 unknown-username']);
    expect(codes('/projects/{projectId}/members', 'post', '503')).toEqual(['503 dependency-unavailable']);
    expect(codes('/projects/{projectId}/members/{userId}', 'delete', '409')).toEqual(['409 last-owner']);
    expect(codes('/projects/{projectId}/members/{userId}', 'patch', '409')).toEqual(['409 last-owner']);
    expect(codes('/tasks/{taskId}', 'patch', '412')).toEqual(['412 stale-version']);
    expect(codes('/tasks/{taskId}', 'delete', '412')).toEqual(['412 stale-version']);
    expect(codes('/projects/{projectId}/tasks', 'post', '422')).toEqual(['422 idempotency-key-reused']);
  });

  it('/readyz checks the database', async () => {
    const res = await request(ctx.app).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body.checks).toEqual({ database: 'ok' });
  });
});
