import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { asUser, type TestUser, testUser } from '@mini/testing';
import { addMember, createProject, useTestAppWithAuth } from './helpers.ts';

const ctx = useTestAppWithAuth();

async function post(user: TestUser, projectId: string, key: string, body: string | object) {
  return asUser(ctx.app, user)
    .post(`/projects/${projectId}/tasks`)
    .set('Idempotency-Key', key)
    .set('Content-Type', 'application/json')
    .send(typeof body === 'string' ? body : JSON.stringify(body));
}

async function projectWithEditor() {
  const owner = testUser('owner');
  const editor = testUser('editor');
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

describe('replaying an Idempotency-Key', () => {
  it('when the caller was removed from the project since the create, a replay answers 404 and shows nothing of the task', async () => {
    const { owner, editor, project } = await projectWithEditor();
    const key = randomUUID();
    const first = await post(editor, project.id, key, { title: 'Secret plan' });
    expect(first.status).toBe(201);
    expect((await asUser(ctx.app, owner).delete(`/projects/${project.id}/members/${editor.id}`)).status).toBe(
      204,
    );

    const retry = await post(editor, project.id, key, { title: 'Secret plan' });
    expect({ status: retry.status, code: retry.body.code }).toEqual({
      status: 404,
      code: 'project-not-found',
    });
    expect(JSON.stringify(retry.body)).not.toContain(first.body.id);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
  });

  it('when the caller became a viewer since the create, a replay still answers the stored 201 (they may read it)', async () => {
    const { owner, editor, project } = await projectWithEditor();
    const key = randomUUID();
    const first = await post(editor, project.id, key, { title: 'Mine' });
    await asUser(ctx.app, owner)
      .patch(`/projects/${project.id}/members/${editor.id}`)
      .send({ role: 'viewer' });
    const retry = await post(editor, project.id, key, { title: 'Mine' });
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe(first.body.id);
  });

  it('when the task was deleted since the create, a replay answers the stored 201 (the create did happen) and creates nothing', async () => {
    const { owner, editor, project } = await projectWithEditor();
    const key = randomUUID();
    const first = await post(editor, project.id, key, { title: 'Short-lived' });
    expect((await asUser(ctx.app, owner).delete(`/tasks/${first.body.id}`)).status).toBe(204);

    const retry = await post(editor, project.id, key, { title: 'Short-lived' });
    expect({ status: retry.status, replayed: retry.headers['idempotent-replayed'] }).toEqual({
      status: 201,
      replayed: 'true',
    });
    expect(retry.body).toEqual(first.body);
    expect((await asUser(ctx.app, editor).get(`/tasks/${first.body.id}`)).status).toBe(404);
    const list = await asUser(ctx.app, editor).get(`/projects/${project.id}/tasks?q=Short-lived`);
    expect(list.body.items).toHaveLength(0);
  });
});

describe('Idempotency-Key expiry', () => {
  async function age(user: TestUser, key: string, hours: number) {
    await ctx.db.pool.query(
      `UPDATE idempotency_keys SET created_at = now() - make_interval(hours => $3) WHERE user_id = $1 AND key = $2`,
      [user.id, key, hours],
    );
  }

  it('when a key is older than IDEMPOTENCY_TTL_HOURS, the same request creates a new task instead of replaying', async () => {
    const { editor, project } = await projectWithEditor();
    const key = randomUUID();
    const first = await post(editor, project.id, key, { title: 'Weekly report' });
    await age(editor, key, 25);
    const again = await post(editor, project.id, key, { title: 'Weekly report' });
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect(again.body.id).not.toBe(first.body.id);
  });

  it('when a key is older than the TTL, it may be used for a different request (no 422)', async () => {
    const { editor, project } = await projectWithEditor();
    const key = randomUUID();
    await post(editor, project.id, key, { title: 'One' });
    await age(editor, key, 25);
    const other = await post(editor, project.id, key, { title: 'Two' });
    expect({ status: other.status, title: other.body.title }).toEqual({ status: 201, title: 'Two' });
  });

  it('when a key is younger than the TTL, it still replays', async () => {
    const { editor, project } = await projectWithEditor();
    const key = randomUUID();
    const first = await post(editor, project.id, key, { title: 'Fresh' });
    await age(editor, key, 23);
    const again = await post(editor, project.id, key, { title: 'Fresh' });
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.id).toBe(first.body.id);
  });
});
