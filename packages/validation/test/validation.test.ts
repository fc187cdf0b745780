import { Writable } from 'node:stream';
import { ConflictError, createServiceApp, UnauthorizedError, ValidationError } from '@mini/http';
import { createLogger } from '@mini/logger';
import express, { type Request, type RequestHandler } from 'express';
import request from 'supertest';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  createApiRegistry,
  emailSchema,
  idParams,
  isoDateTime,
  issuesToFieldErrors,
  nonEmptyTrimmed,
  paginationQuery,
  parseRequest,
  queryArray,
  queryBoolean,
  toOpenApiPath,
  uuidSchema,
} from '../src/index.ts';

const ID = '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60';

const createTaskBody = z
  .object({
    title: nonEmptyTrimmed(200).meta({ description: 'What to do.', example: 'Write the README' }),
    dueAt: isoDateTime.optional(),
    assigneeEmail: emailSchema.optional(),
  })
  .strict();

const taskSchema = z
  .object({ id: uuidSchema, title: z.string(), done: z.boolean() })
  .meta({ id: 'Task', example: { id: ID, title: 'Write the README', done: false } });

const listQuery = paginationQuery.extend({
  done: queryBoolean().optional(),
  tag: queryArray(z.string()).optional(),
});

const renameHeaders = z.object({
  'If-Match': z
    .string()
    .regex(/^"\d+"$/, { error: 'Expected a quoted version, e.g. "3"' })
    .meta({ description: 'The version you read.', example: '"3"' }),
  'Idempotency-Key': z.string().max(8).optional(),
});

// Stands in for @mini/auth's requireAuth: accepts exactly one token.
const fakeAuth: RequestHandler = (req, _res, next) => {
  next(req.get('authorization') === 'Bearer good' ? undefined : new UnauthorizedError());
};

function buildApi(bodyLimit = '10kb') {
  const seen: unknown[] = [];
  const api = createApiRegistry({
    title: 'Tasks',
    version: '1.0.0',
    description: 'Test API',
    authenticate: fakeAuth,
  });
  const router = express.Router();
  api.route(router, {
    method: 'post',
    path: '/tasks',
    summary: 'Create a task',
    tags: ['tasks'],
    auth: true,
    body: createTaskBody,
    responses: { 201: { description: 'Created', schema: taskSchema } },
    handler: ({ body }) => {
      expectTypeOf(body.title).toEqualTypeOf<string>();
      seen.push(body);
      return { id: ID, title: body.title, done: false };
    },
  });
  api.route(router, {
    method: 'get',
    path: '/tasks',
    summary: 'List tasks',
    tags: ['tasks'],
    query: listQuery,
    responses: { 200: { description: 'A page of tasks', schema: z.object({ items: z.array(taskSchema) }) } },
    handler: ({ query, res }) => {
      expectTypeOf(query.limit).toEqualTypeOf<number>();
      seen.push(query);
      res.json({ items: [] });
    },
  });
  api.route(router, {
    method: 'get',
    path: '/tasks/:id',
    summary: 'Get a task',
    tags: ['tasks'],
    params: idParams,
    responses: { 200: { description: 'The task', schema: taskSchema }, 404: { description: 'No such task' } },
    handler: ({ params }) => ({ id: params.id, title: 't', done: false }),
  });
  api.route(router, {
    method: 'patch',
    path: '/tasks/:id',
    summary: 'Rename a task',
    tags: ['tasks'],
    params: idParams,
    headers: renameHeaders,
    body: z.object({ title: nonEmptyTrimmed(200) }).strict(),
    responses: {
      200: {
        description: 'Renamed',
        schema: taskSchema,
        headers: {
          ETag: { description: 'The new version.', schema: z.string().meta({ example: '"4"' }) },
          'X-Renamed': { description: 'Present when the title changed.' },
        },
      },
      304: { description: 'Not modified' },
      412: { description: 'Stale version', headers: { 'Retry-After': { description: 'Seconds.' } } },
    },
    handler: ({ params, headers, body }) => {
      expectTypeOf(headers['If-Match']).toEqualTypeOf<string>();
      expectTypeOf(headers['Idempotency-Key']).toEqualTypeOf<string | undefined>();
      seen.push(headers);
      return { id: params.id, title: body.title, done: false };
    },
  });
  api.route(router, {
    method: 'delete',
    path: '/tasks/:id',
    summary: 'Delete a task',
    tags: ['tasks'],
    params: idParams,
    responses: { 204: { description: 'Deleted' } },
    handler: () => undefined,
  });
  const logger = createLogger({
    name: 'test',
    level: 'silent',
    pretty: false,
    destination: new Writable({ write: (_c, _e, done) => done() }),
  });
  const app = createServiceApp({
    name: 'tasks',
    config: { NODE_ENV: 'test', CORS_ORIGINS: [], BODY_LIMIT: bodyLimit, TRUST_PROXY: false },
    logger,
    openapi: () => api.document(),
    routes: (a) => a.use(router),
  });
  return { app, api, seen };
}

const auth = { Authorization: 'Bearer good' };

// The document as a client receives it (JSON round trip), loosely typed for deep assertions.
function servedDocument() {
  return JSON.parse(JSON.stringify(buildApi().api.document()));
}

describe('request validation', () => {
  it('when the body is valid, the handler receives the parsed (trimmed) body and its return value is sent with 201', async () => {
    const { app, seen } = buildApi();
    const res = await request(app)
      .post('/tasks')
      .set(auth)
      .send({ title: '  Write  ', assigneeEmail: ' a@b.co ' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: ID, title: 'Write', done: false });
    expect(seen).toEqual([{ title: 'Write', assigneeEmail: 'a@b.co' }]);
  });

  it('when the body has an extra field, returns 422 with errors.<field>', async () => {
    const { app, seen } = buildApi();
    const res = await request(app).post('/tasks').set(auth).send({ title: 'x', role: 'admin' });
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'validation-failed', errors: { role: ['Unknown field'] } });
    expect(seen).toEqual([]);
  });

  it('when the title is missing, returns 422 with errors.title', async () => {
    const { app } = buildApi();
    const res = await request(app).post('/tasks').set(auth).send({ dueAt: 'tomorrow' });
    expect(res.status).toBe(422);
    expect(res.body.errors.title).toEqual(['Required']);
    expect(res.body.errors.dueAt).toHaveLength(1);
  });

  it('when the title is only spaces, returns 422 with errors.title', async () => {
    const { app } = buildApi();
    const res = await request(app).post('/tasks').set(auth).send({ title: '   ' });
    expect(res.status).toBe(422);
    expect(res.body.errors.title).toEqual(['Must not be empty']);
  });

  it('when the body is not an object, returns 422 with errors.body', async () => {
    const { app } = buildApi();
    const res = await request(app).post('/tasks').set(auth).send([1, 2]);
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.errors)).toEqual(['body']);
  });

  it('when the route needs auth and no token is sent, returns 401 before validating', async () => {
    const { app } = buildApi();
    const res = await request(app).post('/tasks').send({ role: 'admin' });
    expect(res.status).toBe(401);
  });

  it('when the id param is not a UUID, returns 422 with errors.id', async () => {
    const { app } = buildApi();
    const res = await request(app).get('/tasks/123');
    expect(res.status).toBe(422);
    expect(res.body.errors.id).toHaveLength(1);
  });

  it('when query values are strings, coerces them to numbers, booleans and lists with defaults', async () => {
    const { app, seen } = buildApi();
    await request(app).get('/tasks?limit=5&done=true&tag=a,b').expect(200);
    await request(app).get('/tasks').expect(200);
    expect(seen).toEqual([{ limit: 5, done: true, tag: ['a', 'b'] }, { limit: 20 }]);
  });

  it('when limit is out of range or an unknown query parameter is sent, returns 422 naming both', async () => {
    const { app } = buildApi();
    const res = await request(app).get('/tasks?limit=500&sort=title');
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.errors).sort()).toEqual(['limit', 'sort']);
  });

  it('when a 204 route handler returns nothing, sends 204', async () => {
    const { app } = buildApi();
    const res = await request(app).delete(`/tasks/${ID}`);
    expect(res.status).toBe(204);
  });

  it('when a route has auth: true but the registry has no authenticate middleware, registration throws', () => {
    const api = createApiRegistry({ title: 'x', version: '1' });
    expect(() =>
      api.route(express.Router(), {
        method: 'get',
        path: '/me',
        summary: 'Me',
        tags: ['me'],
        auth: true,
        responses: { 200: { description: 'ok' } },
        handler: () => ({}),
      }),
    ).toThrow(/no authenticate middleware/);
  });
});

describe('request headers', () => {
  it('when headers are sent in any letter case, the handler receives the declared ones under their declared names', async () => {
    const { app, seen } = buildApi();
    const res = await request(app)
      .patch(`/tasks/${ID}`)
      .set('if-match', '"3"')
      .set('IDEMPOTENCY-KEY', 'k1')
      .set('X-Other', 'not declared')
      .send({ title: 'New' });
    expect(res.status).toBe(200);
    expect(seen).toEqual([{ 'If-Match': '"3"', 'Idempotency-Key': 'k1' }]);
  });

  it('when a header value is invalid, returns 422 with errors keyed by the header name, alongside body errors', async () => {
    const { app, seen } = buildApi();
    const res = await request(app)
      .patch(`/tasks/${ID}`)
      .set('If-Match', 'W/"3"')
      .set('Idempotency-Key', 'much-too-long')
      .send({ title: '' });
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.errors).toEqual({
      'If-Match': ['Expected a quoted version, e.g. "3"'],
      'Idempotency-Key': [expect.stringMatching(/8/)],
      title: ['Must not be empty'],
    });
    expect(seen).toEqual([]);
  });

  it('when a required header is missing, returns 422 with errors.<Header>: Required', async () => {
    const { app } = buildApi();
    const res = await request(app).patch(`/tasks/${ID}`).send({ title: 'New' });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual({ 'If-Match': ['Required'] });
  });
});

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 with the paths in {param} form', async () => {
    const { app } = buildApi();
    const res = await request(app).get('/openapi.json');
    expect(res.body.openapi).toBe('3.1.0');
    expect(res.body.info).toEqual({ title: 'Tasks', version: '1.0.0', description: 'Test API' });
    expect(Object.keys(res.body.paths).sort()).toEqual(['/tasks', '/tasks/{id}']);
    expect(toOpenApiPath('/projects/:projectId/tasks/:id')).toBe('/projects/{projectId}/tasks/{id}');
  });

  it('documents path and query parameters from the schemas', () => {
    const doc = servedDocument();
    expect(doc.paths['/tasks/{id}'].get.parameters).toEqual([
      expect.objectContaining({ name: 'id', in: 'path', required: true, example: ID }),
    ]);
    const query = doc.paths['/tasks'].get.parameters;
    expect(query.map((p: { name: string }) => p.name)).toEqual(['limit', 'cursor', 'done', 'tag']);
    expect(query[0]).toMatchObject({
      in: 'query',
      required: false,
      schema: { type: 'integer', default: 20, maximum: 100 },
    });
  });

  it('documents bearer security and a 401 on auth routes', () => {
    const doc = servedDocument();
    expect(doc.components.securitySchemes.bearerAuth).toEqual({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
    expect(doc.paths['/tasks'].post.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/tasks'].post.responses['401'].content['application/problem+json']).toBeDefined();
    expect(doc.paths['/tasks'].get.security).toBeUndefined();
  });

  it('carries .meta() descriptions and examples into the request body and responses', () => {
    const doc = servedDocument();
    const body = doc.paths['/tasks'].post.requestBody.content['application/json'].schema;
    expect(body.properties.title).toMatchObject({ description: 'What to do.', example: 'Write the README' });
    expect(body.additionalProperties).toBe(false);
    expect(body.required).toEqual(['title']);
    expect(doc.paths['/tasks'].post.responses['201'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/Task',
    });
    expect(doc.components.schemas.Task.example).toEqual({ id: ID, title: 'Write the README', done: false });
  });

  it('documents request headers as header parameters and response headers on their responses', () => {
    const doc = servedDocument();
    const patch = doc.paths['/tasks/{id}'].patch;
    expect(patch.parameters).toEqual([
      expect.objectContaining({ name: 'id', in: 'path' }),
      {
        name: 'If-Match',
        in: 'header',
        required: true,
        description: 'The version you read.',
        example: '"3"',
        schema: expect.objectContaining({ type: 'string', pattern: '^"\\d+"$' }),
      },
      expect.objectContaining({
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        schema: { type: 'string', maxLength: 8 },
      }),
    ]);
    expect(patch.responses['200'].headers).toEqual({
      ETag: { description: 'The new version.', example: '"4"', schema: { type: 'string', example: '"4"' } },
      'X-Renamed': { description: 'Present when the title changed.', schema: { type: 'string' } },
    });
    expect(patch.responses['200'].content['application/json']).toBeDefined();
    expect(patch.responses['304']).toEqual({ description: 'Not modified' });
    expect(patch.responses['412']).toMatchObject({
      headers: { 'Retry-After': { description: 'Seconds.', schema: { type: 'string' } } },
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } } },
    });
    expect(patch.responses['422']).toBeDefined();
  });

  it('documents a 400 for malformed JSON on body routes and for malformed-path on routes with path parameters', () => {
    const doc = servedDocument();
    expect(doc.paths['/tasks'].post.responses['400'].description).toMatch(/malformed-json/);
    expect(doc.paths['/tasks/{id}'].get.responses['400'].description).toMatch(/malformed-path/);
    expect(doc.paths['/tasks/{id}'].patch.responses['400'].description).toMatch(
      /malformed-json.*malformed-path/,
    );
    expect(doc.paths['/tasks'].get.responses['400']).toBeUndefined();
  });

  it('documents the listed problems of an error status as named examples of their exact bodies', () => {
    const api = createApiRegistry({ title: 'x', version: '1' });
    const taken = new ConflictError('The email is taken.', { code: 'email-taken' });
    const weak = new ValidationError('Too short.', {
      code: 'weak-password',
      errors: { password: ['Too short'] },
    });
    api.route(express.Router(), {
      method: 'post',
      path: '/accounts',
      summary: 'Create',
      tags: ['x'],
      responses: {
        201: { description: 'Created' },
        409: { description: 'Taken', problems: [taken, new ConflictError('x', { code: 'username-taken' })] },
        422: { description: 'Refused', problems: [weak] },
      },
      handler: () => ({}),
    });
    const doc = JSON.parse(JSON.stringify(api.document()));
    const conflict = doc.paths['/accounts'].post.responses['409'].content['application/problem+json'];
    expect(conflict.schema).toEqual({ $ref: '#/components/schemas/ProblemDetails' });
    expect(Object.keys(conflict.examples)).toEqual(['email-taken', 'username-taken']);
    expect(conflict.examples['email-taken']).toEqual({
      summary: 'The email is taken.',
      value: {
        type: 'https://mini-backends.dev/problems/email-taken',
        title: 'Conflict',
        status: 409,
        detail: 'The email is taken.',
        code: 'email-taken',
        requestId: expect.any(String),
      },
    });
    const refused = doc.paths['/accounts'].post.responses['422'].content['application/problem+json'];
    expect(refused.schema).toEqual({ $ref: '#/components/schemas/ValidationProblemDetails' });
    expect(refused.examples['weak-password'].value.errors).toEqual({ password: ['Too short'] });
  });

  it('adds problem+json 422 with the errors map, and error responses reference ProblemDetails', () => {
    const doc = servedDocument();
    expect(doc.paths['/tasks'].post.responses['422'].content['application/problem+json'].schema).toEqual({
      $ref: '#/components/schemas/ValidationProblemDetails',
    });
    expect(doc.paths['/tasks/{id}'].get.responses['404'].content['application/problem+json'].schema).toEqual({
      $ref: '#/components/schemas/ProblemDetails',
    });
    expect(doc.components.schemas.ProblemDetails.required).toEqual(['type', 'title', 'status', 'code']);
  });
});

describe('hostile input', () => {
  const NUL = 'Must not contain the NUL character (U+0000)';

  // Raw JSON, so that a "__proto__" key arrives as a key (an object literal would set the prototype).
  const postRaw = (app: ReturnType<typeof buildApi>['app'], json: string) =>
    request(app).post('/tasks').set(auth).set('Content-Type', 'application/json').send(json);

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])(
    'when an unknown body key is named %s, returns 422 with errors.<key>: Unknown field',
    async (key) => {
      const { app, seen } = buildApi();
      const res = await postRaw(app, `{"${key}":{},"title":"x"}`);
      expect(res.status).toBe(422);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(Object.keys(res.body.errors)).toEqual([key]);
      expect(Object.getOwnPropertyDescriptor(res.body.errors, key)?.value).toEqual(['Unknown field']);
      expect(seen).toEqual([]);
    },
  );

  it.each(['constructor', 'toString', '__proto__'])(
    'when a query parameter is named %s, returns 422 with errors.<name>: Unknown field',
    async (name) => {
      const { app } = buildApi();
      const res = await request(app).get(`/tasks?${name}=1&limit=500`);
      expect(res.status).toBe(422);
      expect(Object.keys(res.body.errors).sort()).toEqual(['limit', name].sort());
      expect(Object.getOwnPropertyDescriptor(res.body.errors, name)?.value).toEqual(['Unknown field']);
    },
  );

  it('when zod reports an issue at a field named __proto__, issuesToFieldErrors keeps it as an own key and leaves the prototype alone', () => {
    const errors = issuesToFieldErrors(
      [
        { code: 'custom', path: ['__proto__'], message: 'first', input: 1 },
        { code: 'custom', path: ['__proto__'], message: 'second', input: 1 },
        { code: 'custom', path: ['constructor'], message: 'third', input: 1 },
      ],
      'body',
    );
    expect(Object.getPrototypeOf(errors)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(errors, '__proto__')?.value).toEqual(['first', 'second']);
    expect(Object.getOwnPropertyDescriptor(errors, 'constructor')?.value).toEqual(['third']);
    expect(JSON.parse(JSON.stringify(errors))).toEqual(
      JSON.parse('{"__proto__":["first","second"],"constructor":["third"]}'),
    );
  });

  it('when a body string holds NUL, returns 422 with errors.<field>', async () => {
    const { app, seen } = buildApi();
    const res = await request(app).post('/tasks').set(auth).send({ title: 'a\u0000b' });
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'validation-failed', errors: { title: [NUL] } });
    expect(seen).toEqual([]);
  });

  it('when a NUL is nested in an array or an object key, names each path', async () => {
    const { app } = buildApi();
    const nested = await postRaw(app, '{"title":"x","tags":["ok","b\\u0000"],"meta":{"k\\u0000":1}}');
    expect(nested.status).toBe(422);
    expect(nested.body.errors['tags.1']).toEqual([NUL]);
    expect(nested.body.errors['meta.k\u0000']).toEqual([NUL]);
    const array = await postRaw(app, '["\\u0000"]');
    expect(array.status).toBe(422);
    expect(array.body.errors).toEqual({ body: [expect.any(String)], 0: [NUL] });
  });

  it('when a query value or a path parameter holds NUL, returns 422 naming it', async () => {
    const { app } = buildApi();
    const query = await request(app).get('/tasks?tag=a%00b');
    expect(query.status).toBe(422);
    expect(query.body.errors).toEqual({ tag: [NUL] });
    const param = await request(app).get('/tasks/a%00b');
    expect(param.status).toBe(422);
    expect(param.body.errors.id).toContain(NUL);
  });

  it('when a declared header holds NUL, parseRequest reports it under the header name', () => {
    // Node's HTTP parser refuses NUL in a header value, so this one is called directly.
    const req = { params: {}, query: {}, headers: { 'if-match': '"3"\u0000' }, body: { title: 'x' } };
    const error = (() => {
      try {
        parseRequest(req as unknown as Request, { headers: renameHeaders });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toMatchObject({ status: 422, errors: { 'If-Match': expect.arrayContaining([NUL]) } });
  });

  it('when a NUL sits thousands of levels deep, returns 422 with a shortened path instead of overflowing the stack', async () => {
    const { app } = buildApi('100kb');
    const depth = 20_000;
    const res = await request(app)
      .post('/tasks')
      .set(auth)
      .set('Content-Type', 'application/json')
      .send(`{"title":${'['.repeat(depth)}"\\u0000"${']'.repeat(depth)}}`)
      .buffer(true);
    expect(res.status).toBe(422);
    const nulPath = Object.keys(res.body.errors).find((key) => res.body.errors[key].includes(NUL));
    expect(nulPath).toBe(['title', ...Array(15).fill('0')].join('.'));
  });
});
