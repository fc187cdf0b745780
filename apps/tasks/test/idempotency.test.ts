import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, as, buildTestAppWithAuth, createProject, makeUser, type TestUser } from './helpers.ts';

let ctx: Awaited<ReturnType<typeof buildTestAppWithAuth>>;
beforeAll(async () => {
  ctx = await buildTestAppWithAuth();
});
afterAll(() => ctx.close());

async function post(user: TestUser, projectId: string, key: string, body: string | object) {
  return as(ctx.app, user)
    .post(`/projects/${projectId}/tasks`)
    .set('Idempotency-Key', key)
    .set('Content-Type', 'application/json')
    .send(typeof body === 'string' ? body : JSON.stringify(body));
}

async function projectWithEditor() {
  const owner = makeUser('owner');
  const editor = makeUser('editor');
  const project = await createProject(ctx.app, owner);
  await addMember(ctx.app, ctx.auth, owner, project.id, editor, 'editor');
  return { owner, editor, project };
}

describe('the request an Idempotency-Key stands for', () => {
  it('when a retry sends the same body with its keys in another order, replays the first answer instead of 422', async () => {
    const { editor, project } = await projectWithEditor();
    const key = randomUUID();
    const first = await post(editor, project.id, key, '{"title":"Ship it","priority":"high","labelIds":[]}');
    const retry = await post(editor, project.id, key, '{"labelIds":[],"priority":"high","title":"Ship it"}');
    expect(first.status).toBe(201);
    expect({ status: retry.status, replayed: retry.headers['idempotent-replayed'] }).toEqual({
      status: 201,
      replayed: 'true',
    });
    expect(retry.body.id).toBe(first.body.id);
  });

  it('when a retry spells the same due date differently (Z vs .000Z), replays the first answer', async () => {
    const { editor, project } = await projectWithEditor();
    const key = randomUUID();
    const first = await post(editor, project.id, key, { title: 'Due', dueAt: '2027-05-20T17:00:00Z' });
    const retry = await post(editor, project.id, key, { dueAt: '2027-05-20T17:00:00.000Z', title: 'Due' });
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe(first.body.id);
  });
});
