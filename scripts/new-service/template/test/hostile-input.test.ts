import { beforeAll, describe, it } from 'vitest';
import { expectProblemCase, problemCases, testUser, useTestApp } from '@mini/testing';
import { __name__TestApp, create__Item__ } from './helpers.ts';

// Field names that are also names of Object.prototype members, NUL in a string and malformed
// percent-encoding in a path: each must be the client's 4xx problem, never a 500.
const ctx = useTestApp(() => __name__TestApp.build());
const user = testUser();
const tokens = { user: user.token };
// A real id, so that a request refused here would otherwise have reached its row.
let id = '';
beforeAll(async () => {
  id = (await create__Item__(ctx.app, user)).id;
});

const { unknownField, nul, malformedPath } = problemCases;
const as = { as: 'user' };
const cases = () => [
  unknownField('GET /__name__?constructor=1', 'constructor', as),
  unknownField('POST /__name__', '__proto__', { ...as, body: '{"__proto__":{},"title":"x"}' }),
  unknownField(`PATCH /__name__/${id}`, 'toString', { ...as, body: '{"toString":"x"}' }),
  nul('POST /__name__', 'title', { ...as, body: '{"title":"a\\u0000b"}' }),
  nul(`PATCH /__name__/${id}`, 'body', { ...as, body: '{"body":"a\\u0000b"}' }),
  nul('GET /__name__/a%00b', 'id', as),
  malformedPath('GET /__name__/%ZZ', as),
  malformedPath('DELETE /__name__/%C0%AF', as),
];

describe('hostile input', () => {
  it('answers each hostile request with its 4xx problem', async () => {
    for (const c of cases()) await expectProblemCase(ctx.app, c, tokens);
  });
});
