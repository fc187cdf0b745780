import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, type TestUser, testUser } from '@mini/testing';
import { addMember, buildTestAppWithAuth, createLabel, createProject, createTask } from './helpers.ts';

let ctx: Awaited<ReturnType<typeof buildTestAppWithAuth>>;
let owner: TestUser;
let projectId: string;
let otherProjectId: string;
let taskId: string;
let otherTaskId: string;

beforeAll(async () => {
  ctx = await buildTestAppWithAuth();
  owner = testUser('owner');
  projectId = (await createProject(ctx.app, owner)).id;
  otherProjectId = (await createProject(ctx.app, owner)).id;
  await createProject(ctx.app, owner);
  await addMember(ctx.app, ctx.auth, owner, projectId, testUser('m1'), 'viewer');
  await addMember(ctx.app, ctx.auth, owner, projectId, testUser('m2'), 'viewer');
  await addMember(ctx.app, ctx.auth, owner, otherProjectId, testUser('m3'), 'viewer');
  for (const name of ['a', 'b', 'c']) {
    await createLabel(ctx.app, owner, projectId, name);
    await createLabel(ctx.app, owner, otherProjectId, name);
  }
  const day = 86_400_000;
  for (let i = 0; i < 3; i++) {
    const task = await createTask(ctx.app, owner, projectId, {
      priority: 'high',
      dueAt: new Date(Date.now() + (i + 1) * day).toISOString(),
      assigneeId: owner.id,
    });
    taskId ??= task.id;
    await asUser(ctx.app, owner)
      .patch(`/tasks/${task.id}`)
      .send({ title: `Renamed ${i}` });
  }
  otherTaskId = (await createTask(ctx.app, owner, otherProjectId)).id;
  await asUser(ctx.app, owner).patch(`/tasks/${otherTaskId}`).send({ title: 'Renamed' });
  await asUser(ctx.app, owner).patch(`/tasks/${otherTaskId}`).send({ title: 'Renamed again' });
});
afterAll(() => ctx.close());

/** A genuine cursor of the list, with its decoded payload. */
async function cursorOf(url: string): Promise<Record<string, unknown>> {
  const res = await asUser(ctx.app, owner).get(url);
  expect(res.status).toBe(200);
  expect(res.body.nextCursor).toEqual(expect.any(String));
  return JSON.parse(Buffer.from(res.body.nextCursor, 'base64url').toString('utf8'));
}

const encode = (payload: unknown) => Buffer.from(JSON.stringify(payload)).toString('base64url');

async function expectInvalidCursor(url: string, cursor: string) {
  const sep = url.includes('?') ? '&' : '?';
  const res = await asUser(ctx.app, owner).get(`${url}${sep}cursor=${cursor}`);
  expect({ status: res.status, code: res.body.code }).toEqual({ status: 422, code: 'invalid-cursor' });
  expect(res.body.errors.cursor).toBeDefined();
}

const lists = () => [
  {
    name: 'project tasks by position',
    url: `/projects/${projectId}/tasks?limit=1`,
    values: ['abc', {}, true, '1e999'],
  },
  {
    name: 'project tasks by position, descending',
    url: `/projects/${projectId}/tasks?limit=1&sort=position&order=desc`,
    values: ['abc', []],
  },
  {
    name: 'project tasks by due date',
    url: `/projects/${projectId}/tasks?limit=1&sort=due`,
    values: ['not-a-date', '2026-13-45T00:00:00Z', 5, '0000-00-00T00:00:00Z'],
  },
  {
    name: 'project tasks by priority',
    url: `/projects/${projectId}/tasks?limit=1&sort=priority`,
    values: ['extreme', 3, null],
  },
  {
    name: 'project tasks by creation',
    url: `/projects/${projectId}/tasks?limit=1&sort=created&order=asc`,
    values: ['garbage', null, 1_700_000_000_000],
  },
  { name: 'my tasks', url: '/tasks?limit=1&assignee=me', values: ['garbage', 7] },
  { name: 'projects', url: '/projects?limit=1', values: ['garbage', null, 12] },
  { name: 'members', url: `/projects/${projectId}/members?limit=1`, values: ['a\u0000b', 42, null] },
  { name: 'labels', url: `/projects/${projectId}/labels?limit=1`, values: ['a\u0000b', {}, null] },
  {
    name: 'activity',
    url: `/tasks/${taskId}/activity?limit=1`,
    values: ['x'],
    ids: ['99999999999999999999999', '1.5', '-1', 'abc'],
  },
];

describe('forged cursors', () => {
  it('when a cursor carries a value of the wrong type or shape, every list answers 422 invalid-cursor', async () => {
    for (const list of lists()) {
      const genuine = await cursorOf(list.url);
      for (const v of list.values) await expectInvalidCursor(list.url, encode({ ...genuine, v }));
    }
  });

  it('when a cursor carries an id that is not a uuid (or a sequence number), every list answers 422 invalid-cursor', async () => {
    for (const list of lists()) {
      const genuine = await cursorOf(list.url);
      for (const id of list.ids ?? ['abc', '----', '0', 'ffffffff-ffff-ffff-ffff-ffffffffffffff']) {
        await expectInvalidCursor(list.url, encode({ ...genuine, id }));
      }
    }
  });

  it('when a cursor is not base64 JSON of an object, every list answers 422 invalid-cursor', async () => {
    for (const list of lists()) {
      for (const cursor of ['%25%25', encode('just a string'), encode([1, 2]), encode(null), 'bm90LWpzb24']) {
        await expectInvalidCursor(list.url, cursor);
      }
    }
  });
});

describe('cursors are bound to their list', () => {
  it('when a task cursor is reused with other filters, returns 422 invalid-cursor', async () => {
    const url = `/projects/${projectId}/tasks?limit=1&sort=due&priority=high`;
    const res = await asUser(ctx.app, owner).get(url);
    await expectInvalidCursor(
      `/projects/${projectId}/tasks?limit=1&sort=due&priority=low`,
      res.body.nextCursor,
    );
    await expectInvalidCursor(`/projects/${projectId}/tasks?limit=1&sort=due`, res.body.nextCursor);
    // The same list again accepts it.
    expect((await asUser(ctx.app, owner).get(`${url}&cursor=${res.body.nextCursor}`)).status).toBe(200);
  });

  it('when a task cursor of one project is used on another project or on /tasks, returns 422 invalid-cursor', async () => {
    const res = await asUser(ctx.app, owner).get(`/projects/${projectId}/tasks?limit=1&sort=due`);
    await expectInvalidCursor(`/projects/${otherProjectId}/tasks?limit=1&sort=due`, res.body.nextCursor);
    await expectInvalidCursor('/tasks?limit=1&sort=due', res.body.nextCursor);
  });

  it('when a member, label or activity cursor is used on another project or task, returns 422 invalid-cursor', async () => {
    const members = await asUser(ctx.app, owner).get(`/projects/${projectId}/members?limit=1`);
    await expectInvalidCursor(`/projects/${otherProjectId}/members?limit=1`, members.body.nextCursor);
    const labels = await asUser(ctx.app, owner).get(`/projects/${projectId}/labels?limit=1`);
    await expectInvalidCursor(`/projects/${otherProjectId}/labels?limit=1`, labels.body.nextCursor);
    const activity = await asUser(ctx.app, owner).get(`/tasks/${taskId}/activity?limit=1`);
    await expectInvalidCursor(`/tasks/${otherTaskId}/activity?limit=1`, activity.body.nextCursor);
  });
});
