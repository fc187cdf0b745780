import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import express from 'express';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import type { TestProject } from 'vitest/node';
import { z } from 'zod';
import { ConflictError, NotFoundError, createServiceApp, onServiceAppCreated, problemBody } from '@mini/http';
import { createLogger } from '@mini/logger';
import { createApiRegistry, idParams, uuidSchema } from '@mini/validation';
import { checkContractCoverage, missingExamples } from '../src/contract-coverage.ts';
import { contractCoverage, takeContractViolations, watchContract } from '../src/contract.ts';

const ID = '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60';
const itemSchema = z
  .object({ id: uuidSchema, name: z.string(), count: z.number().int() })
  .meta({ id: 'Item' });
const itemNotFound = () => new NotFoundError('No such item.', { code: 'item-not-found' });
const drift = z.object({
  drift: z.enum(['extra', 'type', 'missing', 'status', 'gone', 'location']).optional(),
});

/** A service whose routes answer off their own document when asked to (`?drift=`). */
function buildService() {
  const api = createApiRegistry({ title: 'Items', version: '1' });
  const router = express.Router();
  api.route(router, {
    method: 'get',
    path: '/items/:id',
    summary: 'Get an item',
    tags: ['items'],
    params: idParams,
    query: drift,
    responses: {
      200: { description: 'The item', schema: itemSchema },
      404: {
        description: 'No such item',
        schema: z
          .object({ code: z.string() })
          .loose()
          .meta({ example: problemBody(itemNotFound()) }),
      },
    },
    handler: ({ params, query }) => {
      const item = { id: params.id, name: 'n', count: 1 };
      if (query.drift === 'extra') return { ...item, secret: 'leaked' };
      if (query.drift === 'type') return { ...item, count: '1' };
      if (query.drift === 'missing') return { id: params.id, count: 1 };
      if (query.drift === 'status') throw new ConflictError('Not declared.');
      if (query.drift === 'gone') throw itemNotFound();
      return item;
    },
  });
  api.route(router, {
    method: 'post',
    path: '/items',
    summary: 'Create an item',
    tags: ['items'],
    query: drift,
    responses: { 201: { description: 'Created', schema: itemSchema } },
    handler: ({ query, res }) => {
      res.location(query.drift === 'location' ? `/item/${ID}` : `/items/${ID}`);
      return { id: ID, name: 'n', count: 1 };
    },
  });
  api.route(router, {
    method: 'post',
    path: '/items/:id/touch',
    summary: 'Touch an item',
    tags: ['items'],
    params: idParams,
    responses: { 200: { description: 'Touched (no body declared)' } },
    handler: () => ({ touched: true }),
  });
  const logger = createLogger({
    name: 'test',
    level: 'silent',
    pretty: false,
    destination: new Writable({ write: (_c, _e, done) => done() }),
  });
  return createServiceApp({
    name: 'items',
    config: { NODE_ENV: 'test', CORS_ORIGINS: [], BODY_LIMIT: '10kb', TRUST_PROXY: false },
    logger,
    openapi: () => api.document(),
    routes: (app) => {
      app.use(router);
      app.get('/plain', (_req, res) => void res.json({ undocumented: true }));
    },
  });
}

// What the kit's setup file does for every app of a test file.
const stopWatching = onServiceAppCreated((app, { document }) => document && watchContract(app, document));
afterAll(stopWatching);
const app = buildService();

describe('the contract check on every answer', () => {
  it('when an answer keeps to the document, records no violation', async () => {
    await request(app).get(`/items/${ID}`).expect(200);
    await request(app).post('/items').expect(201);
    await request(app).get('/items/not-a-uuid').expect(422);
    await request(app).get('/healthz').expect(200);
    await request(app).get('/nowhere').expect(404);
    expect(takeContractViolations()).toEqual([]);
  });

  it.each([
    ['extra', /body must NOT have additional properties \(secret\)/],
    ['type', /body\.count must be integer/],
    ['missing', /the body must have required property 'name'/],
    ['status', /answered 409, which the document does not declare/],
  ])('when the body or status drifts (%s), records a violation naming the request', async (kind, message) => {
    await request(app).get(`/items/${ID}?drift=${kind}`);
    const violations = takeContractViolations();
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatch(new RegExp(`^GET /items/${ID}\\?drift=${kind} -> \\d{3}: `));
    expect(violations[0]).toMatch(message);
  });

  it('when a route is not in the document, or sends a body where none is declared, records a violation', async () => {
    await request(app).get('/plain').expect(200);
    await request(app).post(`/items/${ID}/touch`).expect(200);
    expect(takeContractViolations()).toEqual([
      'GET /plain -> 200: GET /plain is not in the OpenAPI document',
      `POST /items/${ID}/touch -> 200: sent a application/json body; the document declares none`,
    ]);
  });

  it('when a Location names no GET route of the document, records a violation', async () => {
    await request(app).post('/items?drift=location').expect(201);
    expect(takeContractViolations()).toEqual([
      `POST /items?drift=location -> 201: Location /item/${ID} names no GET route of the document`,
    ]);
  });

  it('records the error codes answered per operation, and the examples the document declares', async () => {
    await request(app).get(`/items/${ID}?drift=gone`).expect(404);
    expect(takeContractViolations()).toEqual([]);
    const coverage = contractCoverage();
    expect(coverage.declared).toEqual(['GET /items/{id} 404 item-not-found']);
    expect(coverage.produced).toEqual(
      expect.arrayContaining(['GET /items/{id} 404 item-not-found', 'GET /items/{id} 422 validation-failed']),
    );
  });
});

describe('the check that every declared error example was produced', () => {
  async function runDir(records: Array<{ file: string; declared: string[]; produced: string[] }>) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'contract-test-'));
    await Promise.all(records.map((r, i) => writeFile(path.join(dir, `${i}.json`), JSON.stringify(r))));
    return dir;
  }
  const project = (testFiles: string[], testNamePattern?: RegExp) =>
    ({
      name: 'items',
      globTestFiles: async () => ({ testFiles }),
      vitest: { config: { testNamePattern } },
    }) as unknown as TestProject;
  const declared = ['GET /items/{id} 404 item-not-found', 'POST /items 409 item-exists'];

  it('when every test file ran, names the declared examples no file produced', async () => {
    const dir = await runDir([
      { file: '/a.test.ts', declared, produced: ['GET /items/{id} 404 item-not-found'] },
      { file: '/b.test.ts', declared: [], produced: [] },
    ]);
    expect(await missingExamples(project(['/a.test.ts', '/b.test.ts']), dir)).toEqual([
      'POST /items 409 item-exists',
    ]);
    await expect(checkContractCoverage(project(['/a.test.ts', '/b.test.ts']), dir)).rejects.toThrow(
      /no test produced[^]*POST \/items 409 item-exists/,
    );
    await expect(readdir(dir)).rejects.toThrow(/ENOENT/);
  });

  it('when a file produced each example in parallel with others, finds none missing', async () => {
    const dir = await runDir([
      { file: '/a.test.ts', declared, produced: ['GET /items/{id} 404 item-not-found'] },
      { file: '/b.test.ts', declared, produced: ['POST /items 409 item-exists'] },
    ]);
    await expect(checkContractCoverage(project(['/a.test.ts', '/b.test.ts']), dir)).resolves.toBeUndefined();
  });

  it('when only some test files ran, or tests were filtered by name, does not judge', async () => {
    const records = [{ file: '/a.test.ts', declared, produced: [] }];
    expect(
      await missingExamples(project(['/a.test.ts', '/b.test.ts']), await runDir(records)),
    ).toBeUndefined();
    expect(await missingExamples(project(['/a.test.ts'], /login/), await runDir(records))).toBeUndefined();
  });
});
