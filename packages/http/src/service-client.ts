import type { Request } from 'express';
import type { z } from 'zod';
import { REQUEST_ID_HEADER } from './app.ts';
import { AppError, ServiceUnavailableError } from './errors.ts';
import { PROBLEM_TYPE_BASE } from './problem.ts';

/**
 * What a call to another service carries on behalf of the request being answered: the request id (one
 * id across the services' logs), the caller's own credentials (the callee decides what this user may
 * see), and the end client's address (the callee's per-IP limits must count the client, not the caller).
 */
export interface Forwarded {
  requestId?: string | undefined;
  authorization?: string | undefined;
  /** The end client's address, as the calling service determined it (req.ip, under its TRUST_PROXY). */
  clientIp?: string | undefined;
}

/**
 * The Forwarded of the request being answered. The client address is req.ip: what this service
 * concluded under its own TRUST_PROXY, never an X-Forwarded-For entry the client wrote, which this
 * service may not trust and the callee then would.
 */
export function forwardedFrom(req: Request): Forwarded {
  const requestId = req.res?.getHeader(REQUEST_ID_HEADER);
  return {
    requestId: typeof requestId === 'string' ? requestId : undefined,
    authorization: req.get('authorization'),
    clientIp: req.ip,
  };
}

export interface ServiceClientOptions {
  /** The callee's name, for messages and logs: 'auth'. */
  name: string;
  /** Its base URL: 'http://localhost:3001'. */
  baseUrl: string;
  /** The longest a call may take, answer body included; then it counts as unavailable. */
  timeoutMs: number;
  /** Sent as Retry-After with the 503 when the callee cannot answer. Default 5 seconds. */
  retryAfterSeconds?: number;
}

export interface ServiceRequest<S extends z.ZodType> {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path and query, starting with '/'; encode path parameters (encodeURIComponent). */
  path: string;
  /** The answer's body must match it; anything else is the callee failing (503). */
  schema: S;
  forwarded?: Forwarded;
  /** Sent as JSON. */
  body?: unknown;
}

export interface ServiceClient {
  readonly name: string;
  /**
   * The callee's 2xx answer, validated by `schema`. A 4xx answer is thrown as this service's own problem
   * (appErrorFromProblem); unreachable, timing out, a 5xx or a body that does not match: 503
   * `dependency-unavailable` with Retry-After.
   */
  request<S extends z.ZodType>(request: ServiceRequest<S>): Promise<z.output<S>>;
  /** The 503 this client throws, for a route's OpenAPI `problems`. */
  unavailable(cause?: unknown): ServiceUnavailableError;
}

// Headers of a callee's 4xx that mean the same to our client: how to authenticate, when to retry.
const PASSED_HEADERS = ['www-authenticate', 'retry-after'] as const;

/**
 * A callee's 4xx problem+json as an AppError of this service, so the client sees the same status, type,
 * code, title, detail and field errors it would have seen from the callee. A body that is not a problem
 * (a proxy's HTML page) keeps the status with a generic title.
 */
export function appErrorFromProblem(
  status: number,
  body: unknown,
  headers: Headers = new Headers(),
): AppError {
  const problem = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const type = text(problem.type);
  const code =
    text(problem.code) ??
    (type?.startsWith(PROBLEM_TYPE_BASE) ? type.slice(PROBLEM_TYPE_BASE.length) : undefined) ??
    `http-${status}`;
  const errors = isFieldErrors(problem.errors) ? problem.errors : undefined;
  const passed: Record<string, string> = {};
  for (const name of PASSED_HEADERS) {
    const value = headers.get(name);
    if (value !== null) passed[name === 'www-authenticate' ? 'WWW-Authenticate' : 'Retry-After'] = value;
  }
  return new AppError({
    status,
    code,
    title: text(problem.title) ?? `Request failed with status ${status}`,
    ...(text(problem.detail) === undefined ? {} : { detail: text(problem.detail) }),
    ...(type === undefined ? {} : { type }),
    ...(errors === undefined ? {} : { errors }),
    ...(Object.keys(passed).length === 0 ? {} : { headers: passed }),
  });
}

function isFieldErrors(value: unknown): value is Record<string, string[]> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => Array.isArray(v) && v.every((m) => typeof m === 'string'))
  );
}

/**
 * The 503 of a service that another one cannot reach (also what a route declares in its OpenAPI
 * `problems`): nothing is wrong with the request, and sent again later it will most likely succeed.
 */
export function dependencyUnavailable(
  name: string,
  retryAfterSeconds = 5,
  cause?: unknown,
): ServiceUnavailableError {
  return new ServiceUnavailableError(`The ${name} service is not reachable; try again later.`, {
    code: 'dependency-unavailable',
    headers: { 'Retry-After': String(retryAfterSeconds) },
    cause,
  });
}

/** A client for another service's HTTP API: see ServiceClient. */
export function createServiceClient(options: ServiceClientOptions): ServiceClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const unavailable = (cause?: unknown) =>
    dependencyUnavailable(options.name, options.retryAfterSeconds ?? 5, cause);

  return {
    name: options.name,
    unavailable,
    async request({ method = 'GET', path, schema, forwarded = {}, body }) {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (forwarded.requestId) headers['x-request-id'] = forwarded.requestId;
      if (forwarded.authorization) headers.authorization = forwarded.authorization;
      if (forwarded.clientIp) headers['x-forwarded-for'] = forwarded.clientIp;
      if (body !== undefined) headers['content-type'] = 'application/json';

      // One deadline for the whole exchange: a callee that sends its headers and then stalls the body is
      // as unavailable as one that never answers.
      const signal = AbortSignal.timeout(options.timeoutMs);
      let response: Response;
      let text: string;
      try {
        response = await fetch(`${base}${path}`, {
          method,
          headers,
          signal,
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        text = await response.text();
      } catch (err) {
        // Refused, reset, DNS failure, timeout: the callee cannot answer right now.
        throw unavailable(err);
      }
      if (response.status >= 500) throw unavailable(new Error(`${options.name} answered ${response.status}`));
      let parsedBody: unknown;
      try {
        parsedBody = text === '' ? undefined : JSON.parse(text);
      } catch (err) {
        // A 4xx whose body is not JSON (a proxy's page) still says what the status says.
        if (response.status >= 400) throw appErrorFromProblem(response.status, undefined, response.headers);
        throw unavailable(err);
      }

      if (response.status >= 400) throw appErrorFromProblem(response.status, parsedBody, response.headers);
      if (response.status < 200 || response.status >= 300) {
        throw unavailable(new Error(`${options.name} answered ${response.status}`));
      }
      const parsed = schema.safeParse(parsedBody);
      if (!parsed.success) {
        throw unavailable(new Error(`${options.name} answered a body that does not match its schema`));
      }
      return parsed.data;
    },
  };
}
