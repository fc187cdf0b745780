import type { Request } from 'express';
import { ValidationError } from '@mini/http';
import type { z } from 'zod';

export type FieldErrors = Record<string, string[]>;

// Zod's default for a missing value reads "Invalid input: expected string, received undefined";
// clients and learners understand "Required" better.
const requiredMessage = (issue: z.core.$ZodRawIssue) =>
  issue.code === 'invalid_type' && issue.input === undefined ? 'Required' : undefined;

/**
 * Field names come from the client (an unknown body key, a query parameter), so they can be `__proto__`,
 * `constructor` or `toString`: read and write only own properties, never what a plain object inherits.
 * A new list is defined rather than assigned, because assigning to `__proto__` would set the prototype.
 */
function addError(errors: FieldErrors, field: string, message: string): void {
  if (Object.hasOwn(errors, field)) {
    errors[field]?.push(message);
    return;
  }
  Object.defineProperty(errors, field, {
    value: [message],
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/**
 * Turns zod issues into `{ 'field.path': [message] }`. Issues about the whole value use `root`
 * ('body', 'query', 'params'); an unknown key rejected by `.strict()` is reported on that key.
 */
export function issuesToFieldErrors(
  issues: readonly z.core.$ZodIssue[],
  root: string,
  errors: FieldErrors = {},
) {
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        addError(errors, [...issue.path, key].map(String).join('.'), 'Unknown field');
      continue;
    }
    addError(errors, issue.path.length === 0 ? root : issue.path.map(String).join('.'), issue.message);
  }
  return errors;
}

const NUL_MESSAGE = 'Must not contain the NUL character (U+0000)';
// A crafted body can hold thousands of NULs, thousands of levels deep: the answer names the first few, at
// most this deep, so that it stays small.
const MAX_NUL_FINDINGS = 20;
const MAX_REPORTED_DEPTH = 16;

interface Visit {
  value: unknown;
  key: string | undefined;
  parent: Visit | undefined;
  depth: number;
}

function pathOf(visit: Visit): string[] {
  const path: string[] = [];
  for (let at: Visit | undefined = visit; at?.key !== undefined; at = at.parent) {
    if (at.depth <= MAX_REPORTED_DEPTH) path.push(at.key);
  }
  return path.reverse();
}

/**
 * The paths of the strings, and object keys, in `input` that contain NUL (U+0000). Postgres text cannot
 * hold it (the insert fails with 22021), and no field of any service has a use for it, so the kit refuses
 * it once here for params, query, headers and body alike, at any depth, whatever the schema.
 * Iterative, with parent links instead of path copies: a JSON body within the size limit can nest tens of
 * thousands of levels deep, which would overflow the stack of a recursive walk.
 */
function nulPaths(input: unknown): string[][] {
  const found: string[][] = [];
  const stack: Visit[] = [{ value: input, key: undefined, parent: undefined, depth: 0 }];
  for (let visit = stack.pop(); visit && found.length < MAX_NUL_FINDINGS; visit = stack.pop()) {
    const { value } = visit;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) found.push(pathOf(visit));
    } else if (typeof value === 'object' && value !== null) {
      const entries = Object.entries(value);
      // Last pushed, first visited: pushed in reverse, fields are reported in the order they were sent.
      for (let i = entries.length - 1; i >= 0; i -= 1) {
        const [key, child] = entries[i] as [string, unknown];
        const entry = { value: child, key, parent: visit, depth: visit.depth + 1 };
        if (key.includes('\u0000')) found.push(pathOf(entry));
        else stack.push(entry);
      }
    }
  }
  return found.slice(0, MAX_NUL_FINDINGS);
}

export interface RequestSchemas {
  params?: z.ZodType | undefined;
  query?: z.ZodType | undefined;
  /** Keys are header names as documented ('If-Match'); they match the request's headers in any case. */
  headers?: z.ZodObject | undefined;
  body?: z.ZodType | undefined;
}

export interface ParsedRequest {
  params: unknown;
  query: unknown;
  headers: unknown;
  body: unknown;
}

/**
 * Only the headers the schema names, under the schema's spelling: header names are case-insensitive and
 * Node lower-cases them, while handlers, the document and error messages should say 'If-Match'. Every
 * other header is left out, so a strict schema never trips over the dozens a client sends.
 */
function headerInput(req: Request, schema: z.ZodObject): Record<string, string> {
  const input: Record<string, string> = {};
  for (const name of Object.keys(schema.shape)) {
    const key = name.toLowerCase();
    const value = Object.hasOwn(req.headers, key) ? req.headers[key] : undefined;
    if (value !== undefined) input[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return input;
}

/**
 * Validates the parts of `req` that have a schema and returns the parsed values (coerced, defaulted,
 * trimmed). Parts without a schema come back as `{}`. Throws one ValidationError (422) listing every
 * bad field of every part; a bad header is listed under its name ('Idempotency-Key'). A string or key
 * holding NUL (U+0000) is a bad field whatever the schema says.
 */
export function parseRequest(req: Request, schemas: RequestSchemas): ParsedRequest {
  const errors: FieldErrors = {};
  const parsed: ParsedRequest = { params: {}, query: {}, headers: {}, body: {} };
  const inputs = {
    params: req.params,
    query: req.query,
    headers: schemas.headers && headerInput(req, schemas.headers),
    body: req.body,
  };
  for (const part of ['params', 'query', 'headers', 'body'] as const) {
    const schema = schemas[part];
    if (!schema) continue;
    const result = schema.safeParse(inputs[part], { error: requiredMessage });
    if (result.success) parsed[part] = result.data;
    else issuesToFieldErrors(result.error.issues, part, errors);
    for (const path of nulPaths(inputs[part])) {
      addError(errors, path.length === 0 ? part : path.join('.'), NUL_MESSAGE);
    }
  }
  if (Object.keys(errors).length > 0) {
    throw new ValidationError('The request has invalid fields.', { errors });
  }
  return parsed;
}
