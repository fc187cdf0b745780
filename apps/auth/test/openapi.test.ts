import { afterAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { buildTestApp } from './helpers.ts';

const ctx = buildTestApp();
afterAll(() => ctx.close());

// The routes the issue names; learners' curl sessions and Postman collections depend on these paths.
const ROUTES = [
  'post /auth/register',
  'post /auth/login',
  'post /auth/refresh',
  'post /auth/logout',
  'post /auth/logout-all',
  'get /auth/sessions',
  'delete /auth/sessions/{id}',
  'post /auth/verify-email',
  'post /auth/forgot-password',
  'post /auth/reset-password',
  'get /users/me',
  'patch /users/me',
  'post /users/me/password',
  'get /users/{id}',
  'get /users/by-username/{username}',
  'get /admin/users',
  'patch /admin/users/{id}',
  'get /.well-known/jwks.json',
];

type Schema = { $ref?: string; example?: unknown; properties?: Record<string, Schema> };

describe('OpenAPI document', () => {
  it('describes every route, each request body with an example and each JSON answer with example values', async () => {
    const doc = (await request(ctx.app).get('/openapi.json')).body;
    const resolve = (schema: Schema): Schema =>
      schema.$ref
        ? (doc.components.schemas[schema.$ref.replace('#/components/schemas/', '')] as Schema)
        : schema;
    const hasExample = (schema: Schema) =>
      schema.example !== undefined ||
      Object.values(schema.properties ?? {}).some((p) => p.example !== undefined);

    for (const route of ROUTES) {
      const [method, path] = route.split(' ') as [string, string];
      const operation = doc.paths[path]?.[method];
      expect(operation, route).toBeDefined();
      expect(operation.summary, route).toEqual(expect.any(String));
      const body = operation.requestBody?.content['application/json'].schema as Schema | undefined;
      if (body) expect(resolve(body).example, `${route} request example`).toBeDefined();
      for (const [status, response] of Object.entries(
        operation.responses as Record<string, { content?: Record<string, { schema: Schema }> }>,
      )) {
        const schema = response.content?.['application/json']?.schema;
        if (schema) expect(hasExample(resolve(schema)), `${route} ${status} example`).toBe(true);
      }
    }
  });

  it('marks the signed-in routes with bearer auth and leaves register, login and JWKS open', async () => {
    const doc = (await request(ctx.app).get('/openapi.json')).body;
    expect(doc.paths['/users/me'].get.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/admin/users'].get.responses['403']).toBeDefined();
    expect(doc.paths['/auth/login'].post.security).toBeUndefined();
    expect(doc.paths['/.well-known/jwks.json'].get.security).toBeUndefined();
  });
});
