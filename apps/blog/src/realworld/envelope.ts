import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { InternalError, NotFoundError, toAppError, type AppError } from '@mini/http';
import type { Logger } from '@mini/logger';

/**
 * RealWorld's error envelope, `{ "errors": { "field": ["message"] } }`, for everything under `/api`. The
 * services throw the kit's errors as everywhere else; this one mapper at the /api router turns them into
 * RealWorld's body (same status and headers), so no route formats an error itself. Outside `/api` the
 * kit's problem+json stays.
 */
export const REALWORLD_PREFIX = '/api';

export type FieldErrors = Record<string, string[]>;

// RealWorld bodies wrap their fields in one object (`{ "user": { "email": ... } }`); a client fixes
// `email`, so the wrapper is left out of the field name.
const WRAPPERS = /^(user|article|comment)\./;

/** The field an error without field errors is reported under, as RealWorld's own examples do. */
function fieldFor(error: AppError): string {
  if (error.code === 'invalid-credentials') return 'credentials';
  if (error.code === 'malformed-path') return 'path';
  switch (error.status) {
    case 400:
    case 413:
    case 415:
      return 'body';
    case 401:
      return 'token';
    case 403:
    case 404:
    case 409:
    case 412:
      return 'resource';
    default:
      return error.status >= 500 ? 'server' : 'request';
  }
}

export function realWorldErrors(error: AppError): FieldErrors {
  if (error.errors !== undefined && Object.keys(error.errors).length > 0) {
    const out: FieldErrors = {};
    for (const [field, messages] of Object.entries(error.errors)) {
      const name = field.replace(WRAPPERS, '');
      // Own keys only: a client's field may be called `__proto__` or `constructor`.
      Object.defineProperty(out, name, {
        value: [...(Object.hasOwn(out, name) ? (out[name] ?? []) : []), ...messages],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return { [fieldFor(error)]: [error.detail ?? error.title] };
}

function send(res: Response, error: AppError): void {
  for (const [name, value] of Object.entries(error.headers ?? {})) res.setHeader(name, value);
  res.status(error.status).json({ errors: realWorldErrors(error) });
}

/** Mount at `/api` after the RealWorld routes: any error there answers in RealWorld's envelope. */
export function realWorldErrorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const error = toAppError(err);
    if (error === undefined) {
      logger.error({ err, method: req.method, path: req.path }, 'unhandled error');
      send(res, new InternalError());
      return;
    }
    // A 503 is an operating condition (a dependency is down), logged on the access line; other 5xx are faults.
    if (error.status >= 500 && error.status !== 503) logger.error({ err }, error.title);
    send(res, error);
  };
}

/** Mount at `/api` after the RealWorld routes: a path no route matches is a RealWorld 404. */
export const realWorldNotFound: RequestHandler = (req, res) => {
  send(
    res,
    new NotFoundError(`No route matches ${req.method} ${req.originalUrl.split('?')[0] ?? ''}.`, {
      code: 'route-not-found',
    }),
  );
};

type Json = Record<string, unknown>;

const GENERIC_ERROR_MODEL = {
  type: 'object',
  description: "RealWorld's error envelope: messages per field (or per resource, token, body ...).",
  required: ['errors'],
  properties: {
    errors: {
      type: 'object',
      additionalProperties: { type: 'array', items: { type: 'string' } },
    },
  },
};

const EXAMPLES: Record<string, FieldErrors> = {
  '400': { body: ['The request body is not valid JSON.'] },
  '401': { token: ['Authentication is required.'] },
  '403': { resource: ['forbidden'] },
  '404': { resource: ['not found'] },
  '409': { username: ['is taken'] },
  '422': { title: ["can't be blank"] },
};

/**
 * The OpenAPI document as the /api routes really answer: their error responses are RealWorld's
 * `GenericErrorModel` in `application/json` (the registry documents every error as problem+json), and they
 * accept RealWorld's `Authorization: Token <jwt>` beside `Bearer`.
 */
export function withRealWorldErrors(document: Record<string, unknown>): Record<string, unknown> {
  const paths = (document.paths ?? {}) as Record<string, Record<string, Json>>;
  for (const [path, item] of Object.entries(paths)) {
    if (!path.startsWith(`${REALWORLD_PREFIX}/`)) continue;
    for (const operation of Object.values(item)) {
      const responses = (operation.responses ?? {}) as Record<string, Json>;
      if (Array.isArray(operation.security)) operation.security = [...operation.security, { Token: [] }];
      // A route that answers 401 without requiring a token is RealWorld's "auth optional": anonymous or signed in.
      else if (responses['401'] !== undefined) operation.security = [{}, { bearerAuth: [] }, { Token: [] }];
      for (const [status, response] of Object.entries(responses)) {
        if (Number(status) < 400) continue;
        const example = EXAMPLES[status];
        response.content = {
          'application/json': {
            schema: { $ref: '#/components/schemas/GenericErrorModel' },
            ...(example === undefined ? {} : { example: { errors: example } }),
          },
        };
      }
    }
  }
  const components = (document.components ?? {}) as { schemas?: Json; securitySchemes?: Json };
  components.schemas = { ...components.schemas, GenericErrorModel: GENERIC_ERROR_MODEL };
  components.securitySchemes = {
    ...components.securitySchemes,
    Token: {
      type: 'apiKey',
      in: 'header',
      name: 'Authorization',
      description: 'RealWorld clients send `Token <jwt>`; `Bearer <jwt>` is accepted too.',
    },
  };
  document.components = components;
  return document;
}
