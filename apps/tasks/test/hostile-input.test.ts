import { beforeAll, describe, expect, it } from 'vitest';
import { toAppError } from '@mini/http';
import { expectProblemCase, type ProblemCase, problemCases, testUser } from '@mini/testing';
import { createProject, createTask, useTestAppWithAuth } from './helpers.ts';

// What a black-box fuzz of the OpenAPI document found answered with 500: field names that are also names of
// Object.prototype members, malformed percent-encoding in a path parameter, and NUL in a string. Each must
// be the client's 4xx problem on every route family.

const ctx = useTestAppWithAuth();
const owner = testUser('owner');
const tokens = { owner: owner.token };
// Real ids, so that a request refused here would otherwise have reached its project or task.
let P = '';
let T = '';
beforeAll(async () => {
  P = (await createProject(ctx.app, owner)).id;
  T = (await createTask(ctx.app, owner, P)).id;
});

const { unknownField, nul, malformedPath } = problemCases;
const as = { as: 'owner' };
const U = '5d0c7e3b-2a1f-4b9c-8e6d-7f3a2b1c0d9e';

// {P} and {T} stand for the project's and the task's ids, which exist only once beforeAll has run.
const families: Record<string, ProblemCase[]> = {
  projects: [
    unknownField('GET /projects?constructor=1', 'constructor', as),
    unknownField('GET /projects?__proto__=x', '__proto__', as),
    unknownField('POST /projects', '__proto__', { ...as, body: '{"__proto__":{},"name":"x"}' }),
    unknownField('PATCH /projects/{P}', 'toString', { ...as, body: '{"toString":"x"}' }),
    nul('POST /projects', 'description', { ...as, body: '{"name":"x","description":"a\\u0000b"}' }),
    nul('PATCH /projects/{P}', 'name', { ...as, body: '{"name":"a\\u0000b"}' }),
    nul('GET /projects/a%00b', 'projectId', as),
    malformedPath('GET /projects/%ZZ', as),
    malformedPath('DELETE /projects/%C0%AF', as),
  ],
  members: [
    unknownField('GET /projects/{P}/members?constructor=1', 'constructor', as),
    unknownField('POST /projects/{P}/members', 'constructor', {
      ...as,
      body: '{"username":"x","constructor":1}',
    }),
    nul('POST /projects/{P}/members', 'username', { ...as, body: '{"username":"gr\\u0000ace"}' }),
    nul('PATCH /projects/{P}/members/a%00b', 'userId', { ...as, body: '{"role":"viewer"}' }),
    malformedPath('PATCH /projects/{P}/members/%ZZ', { ...as, body: '{"role":"viewer"}' }),
    malformedPath(`DELETE /projects/%C0%AF/members/${U}`, as),
  ],
  labels: [
    unknownField('GET /projects/{P}/labels?toString=1', 'toString', as),
    unknownField('POST /projects/{P}/labels', '__proto__', { ...as, body: '{"name":"bug","__proto__":{}}' }),
    nul('POST /projects/{P}/labels', 'name', { ...as, body: '{"name":"b\\u0000ug"}' }),
    malformedPath('DELETE /projects/{P}/labels/%ZZ', as),
  ],
  tasks: [
    unknownField('GET /projects/{P}/tasks?constructor=1', 'constructor', as),
    unknownField('GET /tasks?__proto__=1', '__proto__', as),
    nul('GET /projects/{P}/tasks?q=a%00b', 'q', as),
    unknownField('POST /projects/{P}/tasks', 'constructor', {
      ...as,
      body: '{"title":"x","constructor":{}}',
    }),
    nul('POST /projects/{P}/tasks', 'description', {
      ...as,
      body: '{"title":"x","description":"a\\u0000b"}',
    }),
    nul('PATCH /tasks/{T}', 'title', { ...as, body: '{"title":"a\\u0000b"}' }),
    unknownField('PATCH /tasks/{T}', '__proto__', { ...as, body: '{"__proto__":{"version":1}}' }),
    nul('POST /tasks/bulk', 'set.status', {
      ...as,
      body: '{"taskIds":["{T}"],"set":{"status":"do\\u0000ne"}}',
    }),
    unknownField('POST /tasks/bulk', 'set.constructor', {
      ...as,
      body: '{"taskIds":["{T}"],"set":{"constructor":1}}',
    }),
    malformedPath('GET /tasks/%ZZ', as),
    malformedPath('GET /tasks/%C0%AF/activity', as),
    nul('DELETE /tasks/a%00b', 'taskId', as),
  ],
};

const withIds = (text: string) => text.replaceAll('{P}', P).replaceAll('{T}', T);

describe.each(Object.keys(families))('hostile input on the %s routes', (family) => {
  it.each((families[family] ?? []).map((c) => [`${c.route} ${c.body ?? ''}`.trim(), c] as const))(
    'when %s is sent, answers its 4xx problem, not 500',
    (_name, c) =>
      expectProblemCase(
        ctx.app,
        { ...c, route: withIds(c.route), ...(c.body === undefined ? {} : { body: withIds(c.body) }) },
        tokens,
      ),
  );
});

describe('a NUL that gets past validation', () => {
  it('when Postgres refuses it (22021, through Prisma or through pg), the error handler maps it to 400 unsupported-character', async () => {
    const viaPrisma = await ctx.db.prisma.project
      .create({ data: { name: 'a\u0000b', createdBy: owner.id } })
      .catch((err: unknown) => err);
    const viaPg = await ctx.db.pool.query('SELECT $1::text', ['a\u0000b']).catch((err: unknown) => err);
    for (const error of [viaPrisma, viaPg]) {
      expect(toAppError(error)).toMatchObject({ status: 400, code: 'unsupported-character' });
    }
  });
});
