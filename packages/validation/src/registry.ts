import type { Request, RequestHandler, Response, Router } from 'express';
import { problemBody, trackWork, type AppError } from '@mini/http';
import { z } from 'zod';
import { parseRequest } from './parse.ts';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Parsed type of an optional schema; a part without a schema is an empty object. */
export type Parsed<S> = S extends z.ZodType ? z.output<S> : Record<string, never>;

export interface ResponseHeaderSpec {
  description: string;
  /** The value's schema, for the document only (a string when left out); `.meta({ example })` shows up. */
  schema?: z.ZodType;
}

export interface ResponseSpec {
  description: string;
  /** Body schema (JSON). Leave out for 204 and 304, or for errors (documented as problem+json). */
  schema?: z.ZodType;
  /** Headers this answer carries (`ETag`, `Location`, `Retry-After` ...), by name. Documented, not checked. */
  headers?: Record<string, ResponseHeaderSpec>;
  /**
   * For an error status: the errors this answer can carry, made with the same factories the service throws
   * them with (`problems: [emailTaken(), usernameTaken()]`). Each is a named example of the problem+json body
   * (named by its `code`), so the document shows the very bodies clients get; @mini/testing's contract test
   * then checks that some test produces each one.
   */
  problems?: AppError[];
}

export interface HandlerInput<P, Q, B, H = undefined> {
  params: Parsed<P>;
  query: Parsed<Q>;
  /** The declared request headers, under the names the schema gives them. */
  headers: Parsed<H>;
  body: Parsed<B>;
  req: Request;
  res: Response;
}

export interface RouteDefinition<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  H extends z.ZodObject | undefined = undefined,
> {
  method: HttpMethod;
  /** Full Express-style path, e.g. '/projects/:id' (mount the router at '/'). */
  path: string;
  summary: string;
  description?: string;
  tags: string[];
  operationId?: string;
  /** Runs the registry's `authenticate` middleware first and documents bearer auth and a 401. */
  auth?: boolean;
  /** Extra middleware run after authentication and before validation (e.g. requireRole('admin')). */
  middleware?: RequestHandler[];
  params?: P;
  query?: Q;
  /**
   * Request headers, validated like the rest: keys are the names as documented ('If-Match'), matched in
   * any letter case; a bad value is a 422 with `errors['If-Match']`. Make optional headers `.optional()`.
   */
  headers?: H;
  body?: B;
  responses: Record<number, ResponseSpec>;
  /**
   * Receives the parsed input. Either answer through `res`, or return a value: it is sent as JSON with
   * the route's lowest 2xx status (returning undefined from a 204 route sends the 204).
   */
  handler: (input: HandlerInput<P, Q, B, H>) => unknown;
}

export interface ApiRegistryOptions {
  title: string;
  version: string;
  description?: string;
  servers?: Array<{ url: string; description?: string }>;
  /** The middleware `auth: true` routes run first, usually `requireAuth(verifier)` from @mini/auth. */
  authenticate?: RequestHandler;
}

type JsonSchema = Record<string, unknown>;

const PROBLEM_REF = { $ref: '#/components/schemas/ProblemDetails' };
const VALIDATION_PROBLEM_REF = { $ref: '#/components/schemas/ValidationProblemDetails' };

const problemSchemas: Record<string, JsonSchema> = {
  ProblemDetails: {
    type: 'object',
    description: 'RFC 9457 problem details.',
    required: ['type', 'title', 'status', 'code'],
    properties: {
      type: { type: 'string', format: 'uri', example: 'https://mini-backends.dev/problems/not-found' },
      title: { type: 'string', example: 'Not found' },
      status: { type: 'integer', example: 404 },
      detail: { type: 'string', example: 'The resource was not found.' },
      code: { type: 'string', description: 'Stable kebab-case error code.', example: 'not-found' },
      requestId: { type: 'string', example: '0f8fad5b-d9cb-469f-a165-70867728950e' },
    },
  },
  ValidationProblemDetails: {
    allOf: [
      PROBLEM_REF,
      {
        type: 'object',
        required: ['errors'],
        properties: {
          errors: {
            type: 'object',
            description: 'Messages per field path.',
            additionalProperties: { type: 'array', items: { type: 'string' } },
            example: { title: ['Required'], role: ['Unknown field'] },
          },
        },
      },
    ],
  },
};

function problemResponse(description: string, ref: object = PROBLEM_REF) {
  return { description, content: { 'application/problem+json': { schema: ref } } };
}

const EXAMPLE_REQUEST_ID = '0f8fad5b-d9cb-469f-a165-70867728950e';

function problemExamples(problems: AppError[] | undefined) {
  if (problems === undefined || problems.length === 0) return {};
  const examples: Record<string, { summary: string; value: unknown }> = {};
  for (const problem of problems) {
    examples[problem.code] = {
      summary: problem.detail ?? problem.title,
      value: problemBody(problem, EXAMPLE_REQUEST_ID),
    };
  }
  return { examples };
}

export function toOpenApiPath(path: string): string {
  return path.replace(/:(\w+)/g, '{$1}');
}

function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value === null || typeof value !== 'object') return value;
  const out: JsonSchema = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] =
      key === '$ref' && typeof inner === 'string'
        ? inner.replace('#/$defs/', '#/components/schemas/')
        : rewriteRefs(inner);
  }
  return out;
}

interface Recorded {
  definition: RouteDefinition<
    z.ZodType | undefined,
    z.ZodType | undefined,
    z.ZodType | undefined,
    z.ZodObject | undefined
  >;
}

export interface ApiRegistry {
  /** Registers the route on `router` (auth, middleware, validation, handler) and records it for the document. */
  route<
    P extends z.ZodType | undefined = undefined,
    Q extends z.ZodType | undefined = undefined,
    B extends z.ZodType | undefined = undefined,
    H extends z.ZodObject | undefined = undefined,
  >(
    router: Router,
    definition: RouteDefinition<P, Q, B, H>,
  ): void;
  /** The OpenAPI 3.1 document of every registered route. */
  document(): Record<string, unknown>;
}

/**
 * Graceful shutdown must not close a pool under a handler that is still running for a client that has
 * gone, so every step of a route's chain that returns a promise is tracked. Each step calls the next
 * before its own promise settles, so the chain is covered from the first step to the last.
 */
function tracked(step: RequestHandler): RequestHandler {
  return (req, res, next) => {
    const result = step(req, res, next);
    return result instanceof Promise ? trackWork(req, result) : result;
  };
}

function successStatus(responses: Record<number, ResponseSpec>): number {
  const codes = Object.keys(responses)
    .map(Number)
    .filter((code) => code >= 200 && code < 300)
    .sort((a, b) => a - b);
  return codes[0] ?? 200;
}

export function createApiRegistry(options: ApiRegistryOptions): ApiRegistry {
  const routes: Recorded[] = [];

  function route<
    P extends z.ZodType | undefined,
    Q extends z.ZodType | undefined,
    B extends z.ZodType | undefined,
    H extends z.ZodObject | undefined,
  >(router: Router, definition: RouteDefinition<P, Q, B, H>): void {
    if (definition.auth && !options.authenticate) {
      throw new Error(
        `${definition.method.toUpperCase()} ${definition.path} has auth: true but the registry has no authenticate middleware`,
      );
    }
    const status = successStatus(definition.responses);
    const handle: RequestHandler = async (req, res) => {
      const parsed = parseRequest(req, definition);
      const result = await definition.handler({
        params: parsed.params as Parsed<P>,
        query: parsed.query as Parsed<Q>,
        headers: parsed.headers as Parsed<H>,
        body: parsed.body as Parsed<B>,
        req,
        res,
      });
      if (res.headersSent) return;
      if (result !== undefined) res.status(status).json(result);
      else if (status === 204) res.status(204).end();
    };
    const chain = [
      ...(definition.auth && options.authenticate ? [options.authenticate] : []),
      ...(definition.middleware ?? []),
      handle,
    ].map(tracked);
    router[definition.method](definition.path, ...chain);
    routes.push({ definition } as Recorded);
  }

  function document(): Record<string, unknown> {
    const components: Record<string, JsonSchema> = { ...problemSchemas };

    function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
      const {
        $schema: _ignored,
        $defs,
        ...rest
      } = z.toJSONSchema(schema, {
        target: 'draft-2020-12',
        io,
        unrepresentable: 'any',
      }) as JsonSchema;
      // Named schemas (`.meta({ id: 'Project' })`) become shared components instead of per-operation $defs.
      for (const [name, def] of Object.entries(($defs ?? {}) as Record<string, JsonSchema>)) {
        components[name] = rewriteRefs(def) as JsonSchema;
      }
      return rewriteRefs(rest) as JsonSchema;
    }

    function parameters(schema: z.ZodType | undefined, location: 'path' | 'query' | 'header') {
      if (!schema) return [];
      const object = jsonSchema(schema, 'input');
      const properties = (object.properties ?? {}) as Record<string, JsonSchema>;
      const required = new Set((object.required ?? []) as string[]);
      return Object.entries(properties).map(([name, property]) => ({
        name,
        in: location,
        required: location === 'path' || required.has(name),
        ...(typeof property.description === 'string' ? { description: property.description } : {}),
        ...('example' in property ? { example: property.example } : {}),
        schema: property,
      }));
    }

    function responseHeaders(headers: ResponseSpec['headers']) {
      if (headers === undefined) return {};
      const out: Record<string, JsonSchema> = {};
      for (const [name, spec] of Object.entries(headers)) {
        const schema = spec.schema ? jsonSchema(spec.schema, 'output') : { type: 'string' };
        out[name] = {
          description: spec.description,
          ...('example' in schema ? { example: schema.example } : {}),
          schema,
        };
      }
      return { headers: out };
    }

    const paths: Record<string, Record<string, unknown>> = {};
    for (const { definition: d } of routes) {
      const responses: Record<string, unknown> = {};
      for (const [code, spec] of Object.entries(d.responses)) {
        if (Number(code) >= 400) {
          // A 422 whose listed problems all carry `errors` is documented as a validation problem.
          const validation =
            code === '422' &&
            spec.problems !== undefined &&
            spec.problems.every((p) => p.errors !== undefined);
          const schema = spec.schema
            ? jsonSchema(spec.schema, 'output')
            : validation
              ? VALIDATION_PROBLEM_REF
              : PROBLEM_REF;
          responses[code] = {
            description: spec.description,
            ...responseHeaders(spec.headers),
            content: { 'application/problem+json': { schema, ...problemExamples(spec.problems) } },
          };
        } else {
          responses[code] = spec.schema
            ? {
                description: spec.description,
                ...responseHeaders(spec.headers),
                content: { 'application/json': { schema: jsonSchema(spec.schema, 'output') } },
              }
            : { description: spec.description, ...responseHeaders(spec.headers) };
        }
      }
      // A path parameter is percent-decoded before the route runs; a malformed one is a 400 malformed-path.
      const badRequest = [
        ...(d.body ? ['The body is not valid JSON (`malformed-json`).'] : []),
        ...(/:\w/.test(d.path) ? ['A path parameter is not valid percent-encoding (`malformed-path`).'] : []),
      ];
      if (badRequest.length > 0) responses['400'] ??= problemResponse(badRequest.join(' Or: '));
      if (d.body) responses['415'] ??= problemResponse('The body is not application/json.');
      if (d.params || d.query || d.headers || d.body) {
        responses['422'] ??= problemResponse(
          'Validation failed; `errors` lists each bad field.',
          VALIDATION_PROBLEM_REF,
        );
      }
      if (d.auth) responses['401'] ??= problemResponse('Missing, invalid or expired access token.');
      // Any route can meet its database (or another dependency) down: the kit answers 503 for it.
      responses['503'] ??= {
        ...problemResponse(
          'A dependency (the database ...) is unavailable; retry after `Retry-After` seconds.',
        ),
        headers: {
          'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'string' } },
        },
      };

      const operation: Record<string, unknown> = {
        summary: d.summary,
        ...(d.description === undefined ? {} : { description: d.description }),
        ...(d.operationId === undefined ? {} : { operationId: d.operationId }),
        tags: d.tags,
        ...(d.auth ? { security: [{ bearerAuth: [] }] } : {}),
      };
      const params = [
        ...parameters(d.params, 'path'),
        ...parameters(d.query, 'query'),
        ...parameters(d.headers, 'header'),
      ];
      if (params.length > 0) operation.parameters = params;
      if (d.body) {
        operation.requestBody = {
          required: true,
          content: { 'application/json': { schema: jsonSchema(d.body, 'input') } },
        };
      }
      operation.responses = responses;
      (paths[toOpenApiPath(d.path)] ??= {})[d.method] = operation;
    }

    return {
      openapi: '3.1.0',
      info: {
        title: options.title,
        version: options.version,
        ...(options.description === undefined ? {} : { description: options.description }),
      },
      ...(options.servers === undefined ? {} : { servers: options.servers }),
      paths,
      components: {
        schemas: components,
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    };
  }

  return { route, document };
}
