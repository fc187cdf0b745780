import type { Request } from 'express';
import { ValidationError } from '@mini/http';
import type { z } from 'zod';

export type FieldErrors = Record<string, string[]>;

// Zod's default for a missing value reads "Invalid input: expected string, received undefined";
// clients and learners understand "Required" better.
const requiredMessage = (issue: z.core.$ZodRawIssue) =>
  issue.code === 'invalid_type' && issue.input === undefined ? 'Required' : undefined;

function addError(errors: FieldErrors, field: string, message: string): void {
  (errors[field] ??= []).push(message);
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
    const value = req.headers[name.toLowerCase()];
    if (value !== undefined) input[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return input;
}

/**
 * Validates the parts of `req` that have a schema and returns the parsed values (coerced, defaulted,
 * trimmed). Parts without a schema come back as `{}`. Throws one ValidationError (422) listing every
 * bad field of every part; a bad header is listed under its name ('Idempotency-Key').
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
  }
  if (Object.keys(errors).length > 0) {
    throw new ValidationError('The request has invalid fields.', { errors });
  }
  return parsed;
}
