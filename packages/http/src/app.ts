import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import cors from 'cors';
import express, {
  type Express,
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import helmet from 'helmet';
import { Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { requestContext, type Logger, type RequestContext } from '@mini/logger';
import { docsRouter } from './docs.ts';
import {
  AppError,
  BadRequestError,
  PayloadTooLargeError,
  ServiceUnavailableError,
  UnsupportedMediaTypeError,
} from './errors.ts';
import { ACCESS_LOG_FIELDS, errorHandler, notFoundHandler } from './error-handler.ts';
import { attachInFlightWork, createInFlightWork, setInFlightWork, type InFlightWork } from './in-flight.ts';
import { sendProblem } from './problem.ts';

export interface ServiceAppOptions {
  /** Service name, used in logs, metrics and the docs page title. */
  name: string;
  version?: string;
  config: {
    NODE_ENV: string;
    CORS_ORIGINS: readonly string[];
    BODY_LIMIT: string;
    /** Express's `trust proxy`: false, a hop count, or proxy addresses/CIDRs (never "trust every hop"). */
    TRUST_PROXY: false | number | readonly string[];
    /** Longest request target (path and query), in characters; longer is 414. Default 8192. */
    HTTP_MAX_URL_LENGTH?: number;
    /** Most query parameters a request may carry; more is 400. Default 100. */
    HTTP_MAX_QUERY_PARAMS?: number;
  };
  logger: Logger;
  /**
   * Each check resolves when its dependency is reachable; `/readyz` runs them all. These are the
   * dependencies the service cannot serve without: one failing makes it unready (503).
   */
  readinessChecks?: Record<string, () => Promise<void>>;
  /**
   * Dependencies the service keeps working without, in a reduced way (a cache, a revocation list): one
   * failing is reported as `degraded` (body, log, `readiness_check_up` metric) but `/readyz` stays 200, so
   * an orchestrator keeps the instance in rotation; taking every instance out would be a full outage.
   */
  optionalChecks?: Record<string, () => Promise<void>>;
  /** Milliseconds a readiness check may take before it counts as failed. Default 2000. */
  readinessTimeoutMs?: number;
  /** Builds the OpenAPI document served at /openapi.json (called once, on first request). */
  openapi?: () => object;
  /** Registers the service's own routes, after the kit's endpoints and before the 404 handler. */
  routes: (app: Express) => void;
}

export const REQUEST_ID_HEADER = 'X-Request-Id';
const VALID_REQUEST_ID = /^[\w.\-:]{1,128}$/;
const UNMATCHED = '(unmatched)';
// Symbol-keyed properties of the request rather than WeakMaps: a WeakMap entry per request is ephemeron
// work for every garbage collection under load.
const ROUTE = Symbol('route');
const ROUTE_TEMPLATE = Symbol('routeTemplate');
type KitRequest = Request & { [ROUTE]?: unknown; [ROUTE_TEMPLATE]?: string };
// What the access log and the duration metric need when the response closes.
const ACCESS = Symbol('access');
type KitResponse = Response & {
  [ACCESS]: { start: number; ctx: RequestContext; path: string };
  req: Request;
};
const METRICS_REGISTRY = 'metricsRegistry';
const SHUTTING_DOWN = 'shuttingDown';

/** What `onServiceAppCreated` listeners learn about each app. */
export interface ServiceAppInfo {
  name: string;
  /** The OpenAPI document the app serves at /openapi.json (the same object); undefined without `openapi`. */
  document: (() => object) | undefined;
}

type ServiceAppListener = (app: Express, info: ServiceAppInfo) => void;
const appListeners = new Set<ServiceAppListener>();

/**
 * Calls `listener` with every app `createServiceApp` builds from now on, before any middleware is added, so
 * that middleware the listener adds sees every request first. For test tooling that must see every app of a
 * test file however the test built it (e.g. @mini/testing's contract check); services have no use for it.
 * Returns a function that removes the listener.
 */
export function onServiceAppCreated(listener: ServiceAppListener): () => void {
  appListeners.add(listener);
  return () => appListeners.delete(listener);
}

/** The route template a request matched ('/users/:id'), or '(unmatched)'. */
export function routeTemplateOf(req: Request): string {
  return (req as KitRequest)[ROUTE_TEMPLATE] ?? UNMATCHED;
}

/** The app's own Prometheus registry, for services that add their own metrics. */
export function getMetricsRegistry(app: Express): Registry {
  return app.locals[METRICS_REGISTRY] as Registry;
}

/** Called by startServer when shutdown starts: from then on `/readyz` answers 503. */
export function markShuttingDown(app: Express): void {
  app.locals[SHUTTING_DOWN] = true;
}

// Express sets `req.route` when a route matches; recording `baseUrl + path` at that moment gives the
// full template even for routers mounted under a literal prefix, and even after an error has unwound
// the router stack (which resets `req.baseUrl`). Templates, not URLs, keep metric labels bounded.
// The accessor is defined once, on the app's request prototype (Express gives every request of the app
// that prototype), not on each request: a property definition per request costs under load.
function recordRouteTemplates(app: Express): void {
  Object.defineProperty(app.request, 'route', {
    configurable: true,
    enumerable: true,
    get(this: KitRequest) {
      return this[ROUTE];
    },
    set(this: KitRequest, value: { path?: unknown } | undefined) {
      this[ROUTE] = value;
      if (value && typeof value.path === 'string') this[ROUTE_TEMPLATE] = this.baseUrl + value.path;
    },
  });
}

/**
 * The headers helmet (default configuration) sets, read once by running it against a recorder. All of them
 * are constant, so each request gets them from this list in one loop instead of through helmet's chain of
 * thirteen middleware functions; helmet stays the source of truth for what they are.
 */
function securityHeaders(): ReadonlyArray<readonly [string, string]> {
  const headers: Array<readonly [string, string]> = [];
  const recorder = {
    setHeader: (name: string, value: unknown) => void headers.push([name, String(value)]),
    removeHeader: () => {},
  };
  let finished = false;
  helmet()({} as never, recorder as never, () => {
    finished = true;
  });
  if (!finished) throw new Error('helmet did not finish synchronously: its headers cannot be precomputed');
  return headers;
}

interface RequestPipelineOptions {
  work: InFlightWork;
  logger: Logger;
  registry: Registry;
  corsOrigins: readonly string[];
  maxUrlLength: number;
  maxQueryParams: number;
  bodyLimit: number;
}

const CORS_EXPOSED_HEADERS = [REQUEST_ID_HEADER, 'ETag', 'Location', 'Retry-After'];

/**
 * Everything the kit does for every request, in one middleware rather than one per concern (each
 * middleware is a round through the router for every request). In order:
 * 1. in-flight count: the request counts as work until its response is done or its connection gone
 *    (what a handler does after the client has left is covered only if it is tracked too: trackWork);
 * 2. request id (the client's if well-formed, else a new one), echoed and put in the async context;
 * 3. access log line and duration metric when the response closes;
 * 4. security headers (helmet's), CORS;
 * 5. refusals before anything is parsed: over-long target (414), too many query parameters (400), a
 *    body that is not JSON (415), a declared Content-Length over the limit (413);
 * 6. the JSON body parser, for requests that have a body.
 */
function requestPipeline(options: RequestPipelineOptions): RequestHandler {
  const { work, logger, maxUrlLength, maxQueryParams, bodyLimit } = options;
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Duration of HTTP requests in seconds, by method, route template and status code.',
    labelNames: ['method', 'route', 'status_code'],
    registers: [options.registry],
  });
  const helmetHeaders = securityHeaders();
  const allowed = new Set(options.corsOrigins);
  const corsMiddleware = cors({
    // No Origin header: not a browser cross-origin request, nothing to allow or refuse.
    origin: (origin, callback) => callback(null, origin === undefined || allowed.has(origin)),
    exposedHeaders: CORS_EXPOSED_HEADERS,
    maxAge: 600,
  });
  const exposedHeaders = CORS_EXPOSED_HEADERS.join(',');
  const jsonBody = express.json({ limit: bodyLimit, type: JSON_TYPES });

  const parseBody: RequestHandler = (req, res, next) => {
    const refused =
      refuseRequestTarget(req.originalUrl, maxUrlLength, maxQueryParams) ?? refuseBody(req, bodyLimit);
    if (refused) {
      next(refused);
      return;
    }
    // What body-parser's own check (type-is' hasBody) would conclude, without calling into it.
    if (req.headers['transfer-encoding'] === undefined && req.headers['content-length'] === undefined) {
      const withBody: { body?: unknown } = req;
      if (!('body' in withBody)) withBody.body = undefined;
      next();
      return;
    }
    jsonBody(req, res, next);
  };

  const withoutOrigin = (req: Request, res: Response, next: NextFunction) => {
    // What the cors middleware sets on a request without Origin, without its per-request work.
    res.setHeader('Vary', 'Origin');
    res.setHeader('Access-Control-Expose-Headers', exposedHeaders);
    parseBody(req, res, next);
  };
  const withOrigin = (req: Request, res: Response, next: NextFunction) => {
    corsMiddleware(req, res, (err?: unknown) => (err ? next(err) : parseBody(req, res, next)));
  };

  // Per-route duration histograms, looked up by route, method and status, so that a request does not pay
  // prom-client's label handling (an object, a closure and a hash string per observation) when it ends.
  const observers = new Map<string, Map<string, { observe(seconds: number): void }>>();
  const observerFor = (route: string, method: string, status: number) => {
    let byRoute = observers.get(route);
    if (byRoute === undefined) observers.set(route, (byRoute = new Map()));
    const key = method + status;
    let observer = byRoute.get(key);
    if (observer === undefined) {
      observer = duration.labels({ method, route, status_code: String(status) });
      byRoute.set(key, observer);
    }
    return observer;
  };

  // One `close` listener shared by every request, reading what it needs off the response: no closure per
  // request. `close` fires for completed and aborted requests alike, after `finish` when there is one.
  function onClose(this: KitResponse) {
    work.end();
    const state = this[ACCESS];
    const req = this.req;
    const seconds = (performance.now() - state.start) / 1e3;
    const route = routeTemplateOf(req);
    const status = this.statusCode;
    observerFor(route, req.method, status).observe(seconds);
    // 503 is how a service says "a dependency is down" or "too busy, retry": an operating condition to
    // watch, not a fault in the code, and under load there can be thousands of them.
    const level = status === 503 ? 'warn' : status >= 500 ? 'error' : 'info';
    if (!logger.isLevelEnabled(level)) return;
    const ctx = state.ctx;
    const fields = {
      requestId: ctx.requestId,
      ...(ctx.userId === undefined ? {} : { userId: ctx.userId }),
      method: req.method,
      route,
      path: state.path,
      status,
      durationMs: Math.round(seconds * 1e4) / 10,
      ...(this.locals[ACCESS_LOG_FIELDS] as Record<string, unknown> | undefined),
    };
    logger[level](fields, this.writableFinished ? 'request completed' : 'request aborted');
  }

  return (req, res, next) => {
    work.begin();
    attachInFlightWork(req, work);
    const incoming = req.headers['x-request-id'];
    const requestId =
      typeof incoming === 'string' && VALID_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    const ctx: RequestContext = { requestId };
    // Kept for the access log, which runs on `close`, outside the request's async context. The path is
    // read now: routers mounted under a prefix rewrite req.path while they handle the request.
    (res as KitResponse)[ACCESS] = { start: performance.now(), ctx, path: req.path };
    res.on('close', onClose);

    res.setHeader(REQUEST_ID_HEADER, requestId);
    for (const [name, value] of helmetHeaders) res.setHeader(name, value);
    // run() passes the arguments on, so no closure is made per request.
    requestContext.run(
      ctx,
      req.method === 'OPTIONS' || req.headers.origin !== undefined ? withOrigin : withoutOrigin,
      req,
      res,
      next,
    );
  };
}

function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

const JSON_TYPES = ['application/json', 'application/*+json'];

/**
 * A request target that is over-long (414) or carries too many query parameters (400) is refused before
 * anything parses it. Express parses the query string on every read of `req.query`; Node's `querystring`
 * stops at 1000 keys, but a client has no business sending more than a route accepts.
 */
function refuseRequestTarget(
  url: string,
  maxUrlLength: number,
  maxQueryParams: number,
): AppError | undefined {
  if (url.length > maxUrlLength) {
    return new AppError({
      status: 414,
      code: 'uri-too-long',
      title: 'URI too long',
      detail: `The request target exceeds ${maxUrlLength} characters.`,
    });
  }
  const queryStart = url.indexOf('?');
  if (queryStart === -1) return undefined;
  // Counts separators without splitting the string: `a=1&b=2` has 2 parameters.
  let params = 1;
  for (let i = url.indexOf('&', queryStart); i !== -1; i = url.indexOf('&', i + 1)) {
    params += 1;
    if (params > maxQueryParams) {
      return new BadRequestError(`A request may carry at most ${maxQueryParams} query parameters.`, {
        code: 'too-many-query-parameters',
      });
    }
  }
  return undefined;
}

/**
 * A body that is not JSON is 415. A declared Content-Length over the limit is refused (413) before a byte
 * of the body is read (body-parser would refuse it too, but only after reading the whole body off the
 * wire); Node then discards what the client still sends, so the connection stays usable.
 */
function refuseBody(req: Request, limitBytes: number): AppError | undefined {
  if (
    (req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH') &&
    hasBody(req) &&
    !req.is(JSON_TYPES)
  ) {
    return new UnsupportedMediaTypeError('The request body must be application/json.');
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limitBytes) {
    return new PayloadTooLargeError(`The request body exceeds the limit of ${limitBytes} bytes.`);
  }
  return undefined;
}

const SIZE = /^(\d+)(b|kb|mb)$/i;
const UNIT_BYTES: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };

/** '100kb' -> 102400 (the units of BODY_LIMIT, as body-parser reads them). */
function parseSize(size: string): number {
  const match = SIZE.exec(size.trim());
  if (!match?.[1] || !match[2]) throw new RangeError(`expected a size such as 100kb or 1mb, got "${size}"`);
  return Number(match[1]) * (UNIT_BYTES[match[2].toLowerCase()] ?? 1);
}

async function withTimeout(check: () => Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`readiness check timed out after ${ms} ms`)), ms);
  });
  try {
    await Promise.race([check(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Builds a service's Express app with the whole kit in place (request ids, access log, metrics, security
 * headers, CORS, JSON body parsing, health/readiness, metrics, OpenAPI and docs endpoints, 404 and error
 * handling) around the service's `routes`. It never listens: see `startServer`.
 */
export function createServiceApp(options: ServiceAppOptions): Express {
  const { config, logger } = options;
  const app = express();
  // Built on first use: listeners get the function now and call it only once requests come.
  let document: object | undefined;
  const openapiDocument = () =>
    (document ??= options.openapi?.() ?? {
      openapi: '3.1.0',
      info: { title: options.name, version: options.version ?? '0.0.0' },
      paths: {},
    });
  const info = { name: options.name, document: options.openapi && openapiDocument };
  for (const listener of appListeners) listener(app, info);
  app.disable('x-powered-by');
  app.set('trust proxy', config.TRUST_PROXY);

  // One registry per app: tests build many apps in one process, and prom-client refuses a metric
  // name registered twice on the same registry.
  const registry = new Registry();
  registry.setDefaultLabels({ service: options.name });
  collectDefaultMetrics({ register: registry });
  app.locals[METRICS_REGISTRY] = registry;

  const inFlight = createInFlightWork();
  setInFlightWork(app, inFlight);
  recordRouteTemplates(app);
  app.use(
    requestPipeline({
      work: inFlight,
      logger,
      registry,
      corsOrigins: config.CORS_ORIGINS,
      maxUrlLength: config.HTTP_MAX_URL_LENGTH ?? 8192,
      maxQueryParams: config.HTTP_MAX_QUERY_PARAMS ?? 100,
      bodyLimit: parseSize(config.BODY_LIMIT),
    }),
  );

  app.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });

  const readinessChecks = [
    ...Object.entries(options.readinessChecks ?? {}).map(([name, check]) => ({
      name,
      check,
      required: true,
    })),
    ...Object.entries(options.optionalChecks ?? {}).map(([name, check]) => ({
      name,
      check,
      required: false,
    })),
  ];
  const readinessTimeoutMs = options.readinessTimeoutMs ?? 2000;
  const checkUp = new Gauge({
    name: 'readiness_check_up',
    help: 'Result of each readiness check at the last GET /readyz: 1 ok, 0 failed (required="false": degraded).',
    labelNames: ['check', 'required'],
    registers: [registry],
  });
  app.get('/readyz', async (_req, res) => {
    res.set('Cache-Control', 'no-store');
    if (app.locals[SHUTTING_DOWN] === true) {
      // Load balancers and orchestrators stop routing here; requests still in flight are being finished.
      sendProblem(res, new ServiceUnavailableError('Shutting down.', { code: 'shutting-down' }));
      return;
    }
    const results = await Promise.all(
      readinessChecks.map(({ name, check, required }) =>
        withTimeout(check, readinessTimeoutMs).then(
          () => ({ name, required, error: undefined }),
          (error: unknown) => ({ name, required, error: error ?? new Error('failed') }),
        ),
      ),
    );
    const checks: Record<string, 'ok' | 'failed' | 'degraded'> = {};
    const failing: string[] = [];
    const degraded: string[] = [];
    for (const { name, required, error } of results) {
      checkUp.set({ check: name, required: String(required) }, error === undefined ? 1 : 0);
      checks[name] = error === undefined ? 'ok' : required ? 'failed' : 'degraded';
      if (error === undefined) continue;
      (required ? failing : degraded).push(name);
      // Probed every few seconds while a dependency is down: the reason, not a stack each time.
      const reason = error instanceof Error ? error.message : String(error);
      logger.warn(
        { check: name, required, reason },
        required ? 'readiness check failed' : 'optional dependency unavailable: degraded',
      );
    }
    if (failing.length > 0) {
      // The reason goes to the log only: error text can name hosts, users or SQL.
      sendProblem(
        res,
        new ServiceUnavailableError(`Not ready: ${failing.join(', ')} unavailable.`, {
          code: 'not-ready',
          extensions: { checks },
        }),
      );
      return;
    }
    res.json({ status: degraded.length > 0 ? 'degraded' : 'ready', checks });
  });

  app.get('/metrics', async (_req, res) => {
    res.set('Content-Type', registry.contentType).send(await registry.metrics());
  });

  app.get('/openapi.json', (_req, res) => {
    res.json(openapiDocument());
  });
  app.use('/docs', docsRouter(options.name));

  options.routes(app);

  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
