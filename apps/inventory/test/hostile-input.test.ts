import { beforeAll, describe, it } from 'vitest';
import { expectProblemCase, problemCases } from '@mini/testing';
import { createProduct, manager, useInventoryApp } from './helpers.ts';

// Field names that are also names of Object.prototype members, NUL in a string and malformed
// percent-encoding in a path: each must be the client's 4xx problem, never a 500.
const ctx = useInventoryApp();
const user = manager();
const tokens = { user: user.token };
let id = '';
beforeAll(async () => {
  id = (await createProduct(ctx.app, user)).id;
});

const { unknownField, nul, malformedPath } = problemCases;
const as = { as: 'user' };
const cases = () => [
  unknownField('GET /products?constructor=1', 'constructor', as),
  unknownField('POST /products', '__proto__', {
    ...as,
    body: '{"__proto__":{},"sku":"A-1","name":"x","unitCost":1}',
  }),
  unknownField(`PATCH /products/${id}`, 'toString', { ...as, body: '{"toString":"x"}' }),
  unknownField('POST /locations', 'hasOwnProperty', { ...as, body: '{"hasOwnProperty":1,"name":"x"}' }),
  nul('POST /categories', 'name', { ...as, body: '{"name":"a\\u0000b"}' }),
  nul(`PATCH /products/${id}`, 'name', { ...as, body: '{"name":"a\\u0000b"}' }),
  malformedPath('GET /products/%ZZ', as),
  malformedPath('DELETE /products/%C0%AF', as),
];

describe('hostile input', () => {
  it('answers each hostile request with its 4xx problem', async () => {
    for (const c of cases()) await expectProblemCase(ctx.app, c, tokens);
  });
});
