import { beforeAll, describe, it } from 'vitest';
import { expectProblemCase, problemCases, testUser, useTestApp } from '@mini/testing';
import { chatTestApp, createRoom } from './helpers.ts';

// Field names that are also names of Object.prototype members, NUL in a string and malformed
// percent-encoding in a path: each must be the client's 4xx problem, never a 500.
const ctx = useTestApp(() => chatTestApp.build());
const user = testUser();
const tokens = { user: user.token };
let id = '';
beforeAll(async () => {
  id = (await createRoom(ctx.app, user)).id;
});

const { unknownField, nul, malformedPath } = problemCases;
const as = { as: 'user' };
const cases = () => [
  unknownField('GET /rooms?constructor=1', 'constructor', as),
  unknownField('POST /rooms', '__proto__', { ...as, body: '{"__proto__":{},"name":"x"}' }),
  unknownField(`PATCH /rooms/${id}`, 'toString', { ...as, body: '{"toString":"x"}' }),
  unknownField(`POST /rooms/${id}/members`, 'hasOwnProperty', { ...as, body: '{"hasOwnProperty":1}' }),
  unknownField(`POST /rooms/${id}/messages`, 'valueOf', { ...as, body: '{"body":"x","valueOf":1}' }),
  nul(`POST /rooms/${id}/messages`, 'body', { ...as, body: '{"body":"a\\u0000b"}' }),
  nul('POST /rooms', 'name', { ...as, body: '{"name":"a\\u0000b"}' }),
  nul(`PATCH /rooms/${id}`, 'name', { ...as, body: '{"name":"a\\u0000b"}' }),
  malformedPath('GET /rooms/%ZZ', as),
  malformedPath('DELETE /rooms/%C0%AF/members/%ZZ', as),
];

describe('hostile input', () => {
  it('answers each hostile request with its 4xx problem', async () => {
    for (const c of cases()) await expectProblemCase(ctx.app, c, tokens);
  });
});
