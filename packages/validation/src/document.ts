import { problemBody, type AppError } from '@mini/http';
import { z } from 'zod';
import type { AnyRouteDefinition, ApiRegistryOptions, ResponseSpec } from './registry.ts';

/**
 * The OpenAPI 3.1 document of a registry's routes, from the same zod schemas that validate them: paths,
 * parameters, bodies, responses with their headers and problem+json examples, and the errors every route
 * can answer whatever it declares (400/415 for bodies, 422 for validated input, 401 for auth, 503).
 */

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

export function buildDocument(
  options: Pick<ApiRegistryOptions, 'title' | 'version' | 'description' | 'servers'>,
  routes: AnyRouteDefinition[],
): Record<string, unknown> {
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
  for (const d of routes) {
    const responses: Record<string, unknown> = {};
    for (const [code, spec] of Object.entries(d.responses)) {
      if (Number(code) >= 400) {
        // A 422 whose listed problems all carry `errors` is documented as a validation problem.
        const validation =
          code === '422' && spec.problems !== undefined && spec.problems.every((p) => p.errors !== undefined);
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
