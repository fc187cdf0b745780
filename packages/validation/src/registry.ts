import type { Request, RequestHandler, Response, Router } from 'express';
import { trackWork, type AppError } from '@mini/http';
import { buildDocument } from './document.ts';
import type { z } from 'zod';
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

/** A route as the document reads it, whatever its schemas' types. */
export type AnyRouteDefinition = RouteDefinition<
  z.ZodType | undefined,
  z.ZodType | undefined,
  z.ZodType | undefined,
  z.ZodObject | undefined
>;

interface Recorded {
  definition: AnyRouteDefinition;
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

  return {
    route,
    document: () =>
      buildDocument(
        options,
        routes.map((r) => r.definition),
      ),
  };
}
