import { afterAll, beforeAll, describe, it } from 'vitest';
import { expectProblemCase, problemCases, type ProblemCase } from '@mini/testing';
import { createAdminAccount } from '../src/cli/create-admin-account.ts';
import { TEST_HASHING, buildTestApp, login, newUserInput, registerAndLogin, testLogger } from './helpers.ts';

// What a black-box fuzz of the OpenAPI document found answered with 500: field names that are also names of
// Object.prototype members, malformed percent-encoding in a path parameter, and NUL in a string. Each must
// be the client's 4xx problem on every route family.

const ctx = buildTestApp();
afterAll(() => ctx.close());

const tokens: Record<string, string> = {};
beforeAll(async () => {
  tokens.user = (await registerAndLogin(ctx)).accessToken;
  const input = newUserInput();
  await createAdminAccount(
    ctx.db,
    { ...input, password: async () => input.password, hashing: TEST_HASHING },
    { logger: testLogger },
  );
  tokens.admin = (await login(ctx, input)).accessToken;
});

const { unknownField, nul, malformedPath } = problemCases;
const ID = '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60';
const user = { as: 'user' };
const admin = { as: 'admin' };
const credentials = '"email":"a@b.co","password":"x"';
const account = '"email":"fuzz@example.com","username":"fuzz_user","password":"a long passphrase"';

const families: Record<string, ProblemCase[]> = {
  // No token is needed to reach these.
  '/auth': [
    unknownField('POST /auth/login', 'constructor', { body: `{"constructor":1,${credentials}}` }),
    unknownField('POST /auth/login', 'toString', { body: `{"toString":"x",${credentials}}` }),
    unknownField('POST /auth/register', '__proto__', { body: `{"__proto__":{"role":"admin"},${account}}` }),
    unknownField('POST /auth/forgot-password', 'constructor', {
      body: '{"email":"a@b.co","constructor":{}}',
    }),
    nul('POST /auth/register', 'username', {
      body: '{"email":"n@example.com","username":"a\\u0000b","password":"a long passphrase"}',
    }),
    nul('POST /auth/login', 'password', { body: '{"email":"a@b.co","password":"pass\\u0000word"}' }),
    nul('POST /auth/refresh', 'refreshToken', { body: '{"refreshToken":"\\u0000"}' }),
  ],
  sessions: [
    malformedPath('DELETE /auth/sessions/%C0%AF', user),
    malformedPath('DELETE /auth/sessions/%ZZ'),
    nul('DELETE /auth/sessions/a%00b', 'id', user),
  ],
  '/users': [
    nul('PATCH /users/me', 'displayName', { ...user, body: '{"displayName":"a\\u0000b"}' }),
    unknownField('PATCH /users/me', '__proto__', { ...user, body: '{"__proto__":{"role":"admin"}}' }),
    unknownField('POST /users/me/password', 'constructor', {
      ...user,
      body: '{"currentPassword":"x","newPassword":"y","constructor":1}',
    }),
    nul('GET /users/by-username/a%00b', 'username', user),
    malformedPath('GET /users/by-username/%ZZ', user),
    malformedPath('GET /users/%C0%AF', user),
  ],
  '/admin': [
    unknownField('GET /admin/users?constructor=1', 'constructor', admin),
    unknownField('GET /admin/users?__proto__=1', '__proto__', admin),
    nul('GET /admin/users?search=a%00b', 'search', admin),
    malformedPath('PATCH /admin/users/%ZZ', { ...admin, body: '{"role":"user"}' }),
    unknownField(`PATCH /admin/users/${ID}`, 'toString', { ...admin, body: '{"toString":true}' }),
  ],
};

describe.each(Object.keys(families))('hostile input on the %s routes', (family) => {
  it.each((families[family] ?? []).map((c) => [`${c.route} ${c.body ?? ''}`.trim(), c] as const))(
    'when %s is sent, answers its 4xx problem, not 500',
    (_name, c) => expectProblemCase(ctx.app, c, tokens),
  );
});
