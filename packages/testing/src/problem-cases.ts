import request from 'supertest';
import { expect } from 'vitest';
import type { TestApp } from './http.ts';

/**
 * A request that must be answered with one problem+json. Tables of them make the regression tests for
 * hostile input (a fuzzer's findings) readable: one line per request, grouped by route family.
 */
export interface ProblemCase {
  /** 'METHOD /path?query', sent as is (percent-encoding included). */
  route: string;
  /** Raw JSON text, so that keys such as "__proto__" arrive as keys. */
  body?: string;
  /** Which of the runner's tokens to send as `Authorization: Bearer`. */
  as?: string;
  status: number;
  code: string;
  /** For a 422: a field path and one message `errors[field]` must hold. */
  error?: [field: string, message: string];
}

export const NUL_MESSAGE = 'Must not contain the NUL character (U+0000)';

/** The kit's hostile-input cases, by what they probe. */
export const problemCases = {
  /** A field the schema does not know (e.g. `constructor`, `__proto__`): 422 with errors[field]. */
  unknownField: (route: string, field: string, extra: Partial<ProblemCase> = {}): ProblemCase => ({
    route,
    status: 422,
    code: 'validation-failed',
    error: [field, 'Unknown field'],
    ...extra,
  }),
  /** A NUL (U+0000) in a string: 422 with errors[field]. */
  nul: (route: string, field: string, extra: Partial<ProblemCase> = {}): ProblemCase => ({
    route,
    status: 422,
    code: 'validation-failed',
    error: [field, NUL_MESSAGE],
    ...extra,
  }),
  /** A path parameter that is not valid percent-encoding: 400 malformed-path. */
  malformedPath: (route: string, extra: Partial<ProblemCase> = {}): ProblemCase => ({
    route,
    status: 400,
    code: 'malformed-path',
    ...extra,
  }),
};

/** Sends `c` to `app` and asserts its status, problem+json type, code and (for a 422) the errors entry. */
export async function expectProblemCase(
  app: TestApp,
  c: ProblemCase,
  tokens: Record<string, string> = {},
): Promise<void> {
  const [method = '', path = ''] = c.route.split(' ');
  const verb = method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
  let req = request(app)[verb](path);
  if (c.as !== undefined) {
    const token = tokens[c.as];
    if (token === undefined) throw new Error(`no token named ${c.as}`);
    req = req.set('Authorization', `Bearer ${token}`);
  }
  if (c.body !== undefined) req = req.set('Content-Type', 'application/json').send(c.body);
  const res = await req;
  const answer = `${c.route} answered ${res.status} ${JSON.stringify(res.body)}`;
  expect(res.status, answer).toBe(c.status);
  expect(res.headers['content-type'], answer).toMatch(/^application\/problem\+json/);
  expect(res.body, answer).toMatchObject({ status: c.status, code: c.code });
  if (c.error) {
    const [field, message] = c.error;
    // Own property only: a field named "constructor" must be the answer's, not Object's.
    expect(Object.getOwnPropertyDescriptor(res.body.errors ?? {}, field)?.value, answer).toContain(message);
  }
}
