import { setTimeout as delay } from 'node:timers/promises';
import { getRequestContext } from '@mini/logger';
import cors from 'cors';
import express from 'express';
import helmet from 'helmet';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  ServiceUnavailableError,
  TooManyRequestsError,
  UnauthorizedError,
  ValidationError,
  getMetricsRegistry,
  onServiceAppCreated,
} from '../src/index.ts';
import { buildApp } from './helpers.ts';

const PROBLEM = /^application\/problem\+json/;

describe('problem+json errors', () => {
  it('when the body is not JSON, returns 400 malformed-json', async () => {
    const { app } = buildApp((a) => a.post('/items', (req, res) => res.json(req.body)));
    const res = await request(app).post('/items').set('Content-Type', 'application/json').send('{"title":');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toMatchObject({
      type: 'https://mini-backends.dev/problems/malformed-json',
      title: 'Bad request',
      status: 400,
      code: 'malformed-json',
    });
  });

  it('when the body exceeds BODY_LIMIT, returns 413 payload-too-large', async () => {
    const { app } = buildApp((a) => a.post('/items', (req, res) => res.json(req.body)));
    const res = await request(app)
      .post('/items')
      .send({ text: 'x'.repeat(2048) });
    expect(res.status).toBe(413);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body.code).toBe('payload-too-large');
  });

  it('when a POST body is not JSON, returns 415 unsupported-media-type', async () => {
    const { app } = buildApp((a) => a.post('/items', (_req, res) => res.json({ reached: true })));
    const res = await request(app).post('/items').set('Content-Type', 'text/plain').send('hello');
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('unsupported-media-type');
  });

  it('when a POST has no body at all, lets the route decide', async () => {
    const { app } = buildApp((a) => a.post('/items/:id/archive', (_req, res) => res.status(204).end()));
    const res = await request(app).post('/items/1/archive');
    expect(res.status).toBe(204);
  });

  it('when the body is application/merge-patch+json, parses it as JSON', async () => {
    const { app } = buildApp((a) => a.patch('/items/1', (req, res) => res.json(req.body)));
    const res = await request(app)
      .patch('/items/1')
      .set('Content-Type', 'application/merge-patch+json')
      .send('{"title":"x"}');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ title: 'x' });
  });

  it('when no route matches, returns 404 route-not-found', async () => {
    const { app } = buildApp();
    const res = await request(app).get('/nope');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toMatchObject({
      status: 404,
      code: 'route-not-found',
      detail: 'No route matches GET /nope.',
    });
  });

  it('when a route throws ValidationError, returns 422 with the errors map', async () => {
    const { app } = buildApp((a) =>
      a.post('/items', () => {
        throw new ValidationError(undefined, { errors: { title: ['Required'] } });
      }),
    );
    const res = await request(app).post('/items').send({});
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({
      type: 'https://mini-backends.dev/problems/validation-failed',
      title: 'Validation failed',
      status: 422,
      code: 'validation-failed',
      errors: { title: ['Required'] },
    });
  });

  it('when a route throws a plain error, returns 500 without internals and logs the stack', async () => {
    const { app, logs } = buildApp((a) =>
      a.get('/boom', async () => {
        await delay(1);
        throw new Error('connect ECONNREFUSED 10.0.0.5:5432 password=hunter2');
      }),
    );
    const res = await request(app).get('/boom');
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ code: 'internal-error', detail: 'An unexpected error occurred.' });
    expect(res.text).not.toContain('ECONNREFUSED');
    expect(res.text).not.toContain('hunter2');
    const logged = logs.find((line) => line.msg === 'unhandled error');
    const err = logged?.err as { stack?: string; message?: string } | undefined;
    expect(err?.message).toContain('ECONNREFUSED');
    expect(err?.stack).toContain('app.test.ts');
    expect(logged?.requestId).toBe(res.headers['x-request-id']);
  });

  it('when a route answers 503 on purpose, logs one warning line with its code, without a stack', async () => {
    const { app, logs } = buildApp((a) =>
      a.get('/busy', () => {
        throw new ServiceUnavailableError('Too many sign-ins at once.', { code: 'busy' });
      }),
    );
    const res = await request(app).get('/busy');
    expect(res.status).toBe(503);
    expect(logs).toEqual([
      expect.objectContaining({ level: 40, msg: 'request completed', status: 503, code: 'busy' }),
    ]);
    expect(JSON.stringify(logs)).not.toContain('app.test.ts');
  });

  it('carries requestId in the body equal to the X-Request-Id response header', async () => {
    const { app } = buildApp();
    const res = await request(app).get('/nope');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.requestId).toBe(res.headers['x-request-id']);
  });

  it('when an error has headers, sends them (WWW-Authenticate, Retry-After)', async () => {
    const { app } = buildApp((a) => {
      a.get('/private', () => {
        throw new UnauthorizedError('Token expired.', { invalidTokenDescription: 'The token has expired' });
      });
      a.get('/limited', () => {
        throw new TooManyRequestsError('Slow down.', { retryAfterSeconds: 30 });
      });
    });
    const unauthorized = await request(app).get('/private');
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers['www-authenticate']).toBe(
      'Bearer realm="mini-backends", error="invalid_token", error_description="The token has expired"',
    );
    const limited = await request(app).get('/limited');
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('30');
  });

  it('when a service throws with a custom code, the code and type use it', async () => {
    const { app } = buildApp((a) =>
      a.post('/users', () => {
        throw new ConflictError('Email taken.', { code: 'email-taken' });
      }),
    );
    const res = await request(app).post('/users').send({});
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      code: 'email-taken',
      type: 'https://mini-backends.dev/problems/email-taken',
    });
  });
});

describe('Prisma errors (duck-typed)', () => {
  function prismaError(code: string, meta: object) {
    return Object.assign(new Error(`Prisma ${code}`), { code, meta, clientVersion: '7.10.0' });
  }

  it('when P2002 carries the adapter constraint fields, returns 409 naming them', async () => {
    const { app } = buildApp((a) =>
      a.post('/users', () => {
        throw prismaError('P2002', {
          modelName: 'User',
          driverAdapterError: {
            cause: { kind: 'UniqueConstraintViolation', constraint: { fields: ['email'] } },
          },
        });
      }),
    );
    const res = await request(app).post('/users').send({});
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      code: 'conflict',
      detail: 'A record with the same email already exists.',
    });
  });

  it('when P2002 has only meta.target, returns 409 naming the target', async () => {
    const { app } = buildApp((a) =>
      a.post('/users', () => {
        throw prismaError('P2002', { target: ['username'] });
      }),
    );
    const res = await request(app).post('/users').send({});
    expect(res.status).toBe(409);
    expect(res.body.detail).toBe('A record with the same username already exists.');
  });

  it('when a transaction lost a race (P2034, or 40P01/40001 from the adapter or pg), returns 409 conflict-retry with Retry-After', async () => {
    const errors = [
      prismaError('P2034', { modelName: 'User' }),
      prismaError('P2010', { driverAdapterError: { cause: { originalCode: '40P01' } } }),
      Object.assign(new Error('could not serialize access'), { code: '40001' }),
    ];
    for (const error of errors) {
      const { app } = buildApp((a) =>
        a.post('/users', () => {
          throw error;
        }),
      );
      const res = await request(app).post('/users').send({});
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('conflict-retry');
      expect(res.headers['retry-after']).toBe('1');
    }
  });

  it('when a row refers to one deleted meanwhile (P2003), returns 409, not 500', async () => {
    const { app } = buildApp((a) =>
      a.post('/labels', () => {
        throw prismaError('P2003', {
          modelName: 'Label',
          driverAdapterError: { cause: { kind: 'ForeignKeyConstraintViolation', originalCode: '23503' } },
        });
      }),
    );
    const res = await request(app).post('/labels').send({});
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'conflict' });
  });

  it('when P2025 is thrown, returns 404 not-found', async () => {
    const { app } = buildApp((a) =>
      a.delete('/users/:id', () => {
        throw prismaError('P2025', { cause: 'Record to delete does not exist.' });
      }),
    );
    const res = await request(app).delete('/users/1');
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('not-found');
  });
});

describe('database outages', () => {
  // Each as it reaches the handler (see @mini/db's isDatabaseUnavailable tests for where they come from).
  const outages: Array<[string, Error]> = [
    [
      'pg: connection refused',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    ],
    ['pg: connection reset', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    [
      'pg: session terminated (57P01)',
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
    ],
    [
      'pg: statement timeout (57014)',
      Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }),
    ],
    ['pg: connection lost', new Error('Connection terminated unexpectedly')],
    ['pg: silent connection', new Error('Query read timeout')],
    ['pg: no free connection', new Error('timeout exceeded when trying to connect')],
    ['Prisma P1001', Object.assign(new Error("Can't reach database server"), { code: 'P1001', meta: {} })],
    [
      'Prisma P1017',
      Object.assign(new Error('Server has closed the connection.'), { code: 'P1017', meta: {} }),
    ],
    [
      'Prisma P2024',
      Object.assign(new Error('Timed out fetching a new connection'), { code: 'P2024', meta: {} }),
    ],
    ['Prisma P2028', Object.assign(new Error('Transaction already closed'), { code: 'P2028', meta: {} })],
    [
      'Prisma P2010 carrying 57P01',
      Object.assign(new Error('Raw query failed. Code: `57P01`'), {
        code: 'P2010',
        meta: { driverAdapterError: { cause: { kind: 'postgres', originalCode: '57P01' } } },
      }),
    ],
    [
      'Prisma P2039 carrying 57P01',
      Object.assign(new Error('Database error. Code: `57P01`'), {
        code: 'P2039',
        meta: { driverAdapterError: { cause: { kind: 'postgres', originalCode: '57P01' } } },
      }),
    ],
  ];

  it.each(outages)(
    'when the database fails so (%s), answers 503 dependency-unavailable with Retry-After',
    async (_name, error) => {
      const { app } = buildApp((a) =>
        a.get('/things', () => {
          throw error;
        }),
      );
      const res = await request(app).get('/things');
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.body).toMatchObject({
        status: 503,
        code: 'dependency-unavailable',
        detail: 'The database is unavailable; try again shortly.',
      });
      // Nothing of the cause reaches the client.
      expect(JSON.stringify(res.body)).not.toContain(error.message);
    },
  );

  it('when the database is down, each failing request logs one warning line with the reason, and no stack', async () => {
    const { app, logs } = buildApp((a) =>
      a.get('/things', () => {
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      }),
    );
    await request(app).get('/things');
    expect(logs).toEqual([
      expect.objectContaining({
        level: 40,
        msg: 'request completed',
        status: 503,
        code: 'dependency-unavailable',
        reason: 'connect ECONNREFUSED 127.0.0.1:5432',
      }),
    ]);
    expect(JSON.stringify(logs)).not.toContain('"stack"');
  });

  it("when Prisma's message spans lines (the failed call, its source), the reason is its last line", async () => {
    const { app, logs } = buildApp((a) =>
      a.get('/things', () => {
        throw Object.assign(
          new Error(
            "\nInvalid `db.task.findUnique()` invocation in\n/app/src/tasks.repository.ts:225:34\n\n→ 225 const task = await db.task.findUnique(\nCan't reach database server at 127.0.0.1:5432",
          ),
          { code: 'P1001', meta: {} },
        );
      }),
    );
    await request(app).get('/things');
    expect(logs[0]).toMatchObject({ reason: "Can't reach database server at 127.0.0.1:5432" });
  });
});

describe('input the parsers cannot take', () => {
  it.each(['/items/%ZZ', '/items/%C0%AF', '/items/%E0%A4%A'])(
    'when a path parameter is malformed percent-encoding (%s), returns 400 malformed-path and logs no error',
    async (path) => {
      const { app, logs } = buildApp((a) => a.get('/items/:id', (req, res) => res.json(req.params)));
      const res = await request(app).get(path);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body).toMatchObject({ status: 400, code: 'malformed-path' });
      expect(logs.filter((line) => line.level >= 50 && line.msg !== 'request completed')).toEqual([]);
    },
  );

  it('when Postgres refuses a NUL (22021 from the adapter or pg, 22P05), returns 400 unsupported-character', async () => {
    // The shapes Prisma 7 (driver adapter) and pg throw, as seen from a real insert of 'a\u0000b'.
    const errors = [
      Object.assign(new Error('Prisma P2039'), {
        code: 'P2039',
        meta: {
          modelName: 'Project',
          driverAdapterError: { cause: { originalCode: '22021', kind: 'postgres', code: '22021' } },
        },
      }),
      Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' }),
      Object.assign(new Error('unsupported Unicode escape sequence'), { code: '22P05' }),
    ];
    for (const error of errors) {
      const { app } = buildApp((a) =>
        a.post('/items', () => {
          throw error;
        }),
      );
      const res = await request(app).post('/items').send({});
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(PROBLEM);
      expect(res.body).toMatchObject({ status: 400, code: 'unsupported-character' });
      expect(JSON.stringify(res.body)).not.toMatch(/UTF8|0x00|escape/);
    }
  });
});

describe('request id and access log', () => {
  it('when X-Request-Id is valid, echoes it', async () => {
    const { app } = buildApp();
    const res = await request(app).get('/healthz').set('X-Request-Id', 'abc-123.x:y');
    expect(res.headers['x-request-id']).toBe('abc-123.x:y');
  });

  it('when X-Request-Id is invalid, replaces it with a UUID', async () => {
    const { app } = buildApp();
    const res = await request(app).get('/healthz').set('X-Request-Id', 'bad id <script>');
    expect(res.headers['x-request-id']).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
  });

  it('when a handler logs after an await, the line carries the request id', async () => {
    const { app, logs, logger } = buildApp((a) =>
      a.get('/work', async (_req, res) => {
        await delay(2);
        logger.info({ step: 'inside' }, 'doing work');
        res.json({ requestId: getRequestContext()?.requestId });
      }),
    );
    const res = await request(app).get('/work').set('X-Request-Id', 'req-42');
    expect(res.body.requestId).toBe('req-42');
    expect(logs.find((line) => line.msg === 'doing work')?.requestId).toBe('req-42');
  });

  it('writes one access line with method, route template, path, status and duration', async () => {
    const { app, logs } = buildApp((a) => {
      const router = express.Router();
      router.get('/:id', (_req, res) => res.json({}));
      a.use('/users', router);
    });
    await request(app).get('/users/7').set('X-Request-Id', 'req-7');
    await delay(5);
    const access = logs.filter((line) => line.msg === 'request completed');
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({
      level: 30,
      requestId: 'req-7',
      method: 'GET',
      route: '/users/:id',
      path: '/users/7',
      status: 200,
    });
    expect(typeof access[0]?.durationMs).toBe('number');
  });

  it('when logging a request object, redacts the authorization header', async () => {
    const { app, logs, logger } = buildApp((a) =>
      a.get('/echo', (req, res) => {
        logger.info({ req: { headers: req.headers } }, 'incoming');
        res.json({});
      }),
    );
    await request(app).get('/echo').set('Authorization', 'Bearer secret.jwt.value');
    const line = logs.find((l) => l.msg === 'incoming');
    expect(line).toMatchObject({ req: { headers: { authorization: '[redacted]' } } });
    expect(JSON.stringify(logs)).not.toContain('secret.jwt.value');
  });

  it('when a route answers 500, the access line is at error level', async () => {
    const { app, logs } = buildApp((a) => a.get('/fail', (_req, res) => res.status(500).end()));
    await request(app).get('/fail');
    await delay(5);
    expect(logs.find((line) => line.msg === 'request completed')).toMatchObject({ level: 50, status: 500 });
  });

  it('when a route answers 503, the access line is a warning', async () => {
    const { app, logs } = buildApp((a) => a.get('/busy', (_req, res) => res.status(503).end()));
    await request(app).get('/busy');
    await delay(5);
    expect(logs.find((line) => line.msg === 'request completed')).toMatchObject({ level: 40, status: 503 });
  });
});

describe('CORS and security headers', () => {
  it('when the origin is on the allowlist, answers with CORS headers', async () => {
    const { app } = buildApp();
    const res = await request(app).get('/healthz').set('Origin', 'https://app.example.com');
    expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(res.headers['access-control-expose-headers']).toContain('X-Request-Id');
  });

  it('when the origin is not on the allowlist, answers without CORS headers', async () => {
    const { app } = buildApp();
    const res = await request(app).get('/healthz').set('Origin', 'https://evil.example.com');
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('when a preflight comes from an allowed origin, answers 204 with the allowed methods', async () => {
    const { app } = buildApp();
    const res = await request(app)
      .options('/items')
      .set('Origin', 'https://app.example.com')
      .set('Access-Control-Request-Method', 'POST');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-methods']).toContain('POST');
  });

  it('sends security headers and no x-powered-by', async () => {
    const { app } = buildApp();
    const res = await request(app).get('/healthz');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
  });
});

describe('security and CORS headers, precomputed', () => {
  // The kit sets helmet's headers from a list read once, and answers a request without Origin without
  // calling cors: the headers must stay exactly those helmet and cors themselves set.
  function reference() {
    const app = express();
    app.disable('x-powered-by');
    app.use(helmet());
    app.use(
      cors({
        origin: (origin, callback) =>
          callback(null, origin === undefined || origin === 'https://app.example.com'),
        exposedHeaders: ['X-Request-Id', 'ETag', 'Location', 'Retry-After'],
        maxAge: 600,
      }),
    );
    app.get('/healthz', (_req, res) => {
      res.set('Cache-Control', 'no-store').json({ status: 'ok' });
    });
    return app;
  }
  const VARYING = new Set(['date', 'x-request-id', 'connection', 'keep-alive']);
  const stable = (headers: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(headers).filter(([name]) => !VARYING.has(name)));

  it.each([
    ['without Origin', {}],
    ['from an allowed origin', { Origin: 'https://app.example.com' }],
    ['from another origin', { Origin: 'https://evil.example.com' }],
  ])('a request %s gets the headers helmet and cors would set', async (_name, headers) => {
    const { app } = buildApp();
    const kit = await request(app).get('/healthz').set(headers);
    const expected = await request(reference()).get('/healthz').set(headers);
    expect(kit.headers['x-request-id']).toBeDefined();
    expect(stable(kit.headers)).toEqual(stable(expected.headers));
  });
});

describe('kit endpoints', () => {
  it('GET /healthz returns 200 { status: ok }', async () => {
    const { app } = buildApp();
    const res = await request(app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('when every readiness check passes, GET /readyz returns 200 with each check ok', async () => {
    const { app } = buildApp(undefined, { readinessChecks: { database: async () => {} } });
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready', checks: { database: 'ok' } });
  });

  it('when a check fails, GET /readyz returns 503 not-ready naming it but not its error', async () => {
    const { app, logs } = buildApp(undefined, {
      readinessChecks: {
        database: async () => {
          throw new Error('password authentication failed for user "tasks"');
        },
        cache: async () => {},
      },
    });
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toMatchObject({ code: 'not-ready', checks: { database: 'failed', cache: 'ok' } });
    expect(res.body.detail).toContain('database');
    expect(res.text).not.toContain('password');
    // The reason is in the log, once per probe, without a stack: probes repeat every few seconds.
    expect(logs.find((line) => line.msg === 'readiness check failed')).toMatchObject({
      level: 40,
      check: 'database',
      reason: 'password authentication failed for user "tasks"',
    });
    expect(JSON.stringify(logs)).not.toContain('"stack"');
  });

  it('when an optional check fails, GET /readyz stays 200 with status degraded, and the log and metric say which', async () => {
    const { app, logs } = buildApp(undefined, {
      readinessChecks: { database: async () => {} },
      optionalChecks: {
        redis: async () => {
          throw new Error('connect ECONNREFUSED 10.0.0.7:6379');
        },
      },
    });
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'degraded', checks: { database: 'ok', redis: 'degraded' } });
    expect(res.text).not.toContain('ECONNREFUSED');
    expect(logs.some((line) => line.check === 'redis' && line.level === 40 && line.required === false)).toBe(
      true,
    );
    const metrics = (await request(app).get('/metrics')).text;
    expect(metrics).toMatch(/readiness_check_up\{[^}]*check="redis",required="false"[^}]*\} 0/);
    expect(metrics).toMatch(/readiness_check_up\{[^}]*check="database",required="true"[^}]*\} 1/);
  });

  it('when a required check fails, GET /readyz is 503 whatever the optional ones say; when both pass, 200 ready', async () => {
    let databaseUp = false;
    const { app } = buildApp(undefined, {
      readinessChecks: {
        database: async () => {
          if (!databaseUp) throw new Error('down');
        },
      },
      optionalChecks: { redis: async () => {} },
    });
    const down = await request(app).get('/readyz');
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ code: 'not-ready', checks: { database: 'failed', redis: 'ok' } });
    expect(down.body.detail).not.toContain('redis');
    databaseUp = true;
    const up = await request(app).get('/readyz');
    expect(up.status).toBe(200);
    expect(up.body).toEqual({ status: 'ready', checks: { database: 'ok', redis: 'ok' } });
  });

  it('when a check hangs, GET /readyz gives up after the timeout and returns 503', async () => {
    const { app } = buildApp(undefined, {
      readinessTimeoutMs: 50,
      readinessChecks: { database: () => new Promise(() => {}) },
    });
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body.checks).toEqual({ database: 'failed' });
  });

  it('GET /metrics exposes the duration histogram labelled with the route template, plus process metrics', async () => {
    const { app } = buildApp((a) => a.get('/users/:id', (_req, res) => res.json({})));
    await request(app).get('/users/1');
    await request(app).get('/users/2');
    await delay(5);
    const res = await request(app).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toMatch(
      /http_request_duration_seconds_count\{service="test-service",method="GET",route="\/users\/:id",status_code="200"\} 2/,
    );
    expect(res.text).not.toContain('/users/1');
    expect(res.text).toContain('process_cpu_user_seconds_total');
  });

  it('when an unknown path is requested, the metric route label is (unmatched)', async () => {
    const { app } = buildApp();
    await request(app).get('/random/123');
    await delay(5);
    const text = await getMetricsRegistry(app).metrics();
    expect(text).toContain('route="(unmatched)",status_code="404"');
    expect(text).not.toContain('/random/123');
  });

  it('when a handler in a mounted router throws, the metric still carries the full route template', async () => {
    const { app } = buildApp((a) => {
      const router = express.Router();
      router.get('/:id', () => {
        throw new Error('boom');
      });
      a.use('/projects', router);
    });
    await request(app).get('/projects/42');
    await delay(5);
    const text = await getMetricsRegistry(app).metrics();
    expect(text).toContain('route="/projects/:id",status_code="500"');
  });

  it('GET /openapi.json returns the document from openapi()', async () => {
    const { app } = buildApp(undefined, {
      openapi: () => ({ openapi: '3.1.0', info: { title: 'T', version: '1' } }),
    });
    const res = await request(app).get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ openapi: '3.1.0', info: { title: 'T', version: '1' } });
  });

  it('GET /docs returns the Swagger UI page whose scripts are all served from /docs', async () => {
    const { app } = buildApp();
    const page = await request(app).get('/docs');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('<div id="swagger-ui"></div>');
    expect(page.text).not.toMatch(/<script>/);
    const initializer = await request(app).get('/docs/swagger-initializer.js');
    expect(initializer.text).toContain("url: '/openapi.json'");
    const bundle = await request(app).get('/docs/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect(bundle.headers['content-type']).toMatch(/javascript/);
  });
});

describe('TRUST_PROXY', () => {
  function appTrusting(trustProxy: false | number | readonly string[]) {
    return buildApp((a) => a.get('/ip', (req, res) => res.json({ ip: req.ip })), {
      config: { NODE_ENV: 'test', CORS_ORIGINS: [], BODY_LIMIT: '1kb', TRUST_PROXY: trustProxy },
    }).app;
  }
  // The client wrote the first entry itself; the proxy appended the address it saw the client connect from.
  const spoofed = '203.0.113.66, 198.51.100.7';

  it('when one hop is trusted, req.ip is the address the proxy appended, not what the client wrote', async () => {
    const res = await request(appTrusting(1)).get('/ip').set('X-Forwarded-For', spoofed);
    expect(res.body.ip).toBe('198.51.100.7');
  });

  it('when the proxy is trusted by address (loopback here), req.ip is the address it appended', async () => {
    const res = await request(appTrusting(['loopback']))
      .get('/ip')
      .set('X-Forwarded-For', spoofed);
    expect(res.body.ip).toBe('198.51.100.7');
  });

  it('when no proxy is trusted, X-Forwarded-For is ignored', async () => {
    const res = await request(appTrusting(false)).get('/ip').set('X-Forwarded-For', spoofed);
    expect(res.body.ip).toMatch(/127\.0\.0\.1$/);
  });
});

describe('onServiceAppCreated', () => {
  it('when a listener is registered, it gets each new app first (its middleware sees every request) with the served document', async () => {
    const seen: string[] = [];
    const documents: Array<(() => object) | undefined> = [];
    const remove = onServiceAppCreated((app, { document }) => {
      documents.push(document);
      app.use((req, _res, next) => {
        seen.push(req.path);
        next();
      });
    });
    const { app } = buildApp((a) => a.get('/items', (_req, res) => res.json([])), {
      openapi: () => ({ openapi: '3.1.0', paths: { '/items': {} } }),
    });
    remove();
    buildApp();

    await request(app).get('/items').expect(200);
    await request(app).get('/healthz').expect(200);
    const served = await request(app).get('/openapi.json');
    expect(seen).toEqual(['/items', '/healthz', '/openapi.json']);
    expect(documents).toHaveLength(1);
    expect(documents[0]?.()).toEqual(served.body);
  });

  it('when the app has no openapi option, the listener gets no document', () => {
    let info: unknown;
    const remove = onServiceAppCreated((_app, given) => {
      info = given;
    });
    buildApp();
    remove();
    expect(info).toEqual({ name: 'test-service', document: undefined });
  });
});
