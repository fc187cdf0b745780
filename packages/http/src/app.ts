import { randomUUID } from 'node:crypto';
import cors from 'cors';
import express, { type Express, type Request, type RequestHandler } from 'express';
import helmet from 'helmet';
import { Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { runWithContext, type Logger, type RequestContext } from '@mini/logger';
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
const routeTemplates = new WeakMap<Request, string>();
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
  return routeTemplates.get(req) ?? UNMATCHED;
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
function recordRouteTemplate(req: Request): void {
  let route: unknown;
  Object.defineProperty(req, 'route', {
    configurable: true,
    enumerable: true,
    get: () => route,
    set(value: { path?: unknown } | undefined) {
      route = value;
      if (value && typeof value.path === 'string') routeTemplates.set(req, req.baseUrl + value.path);
    },
  });
}

function requestContextMiddleware(): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get(REQUEST_ID_HEADER);
    const requestId = incoming !== undefined && VALID_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader(REQUEST_ID_HEADER, requestId);
    recordRouteTemplate(req);
    const ctx: RequestContext = { requestId };
    // Kept for the access log, which runs on `close`, outside the request's async context.
    res.locals.requestContext = ctx;
    runWithContext(ctx, () => next());
  };
}

// Every request counts as in-flight work until its response is done (or its connection gone). What a
// handler does after the client has left is covered only if it is tracked too (trackWork).
function trackRequests(work: InFlightWork): RequestHandler {
  return (req, res, next) => {
    attachInFlightWork(req, work);
    void work.track(new Promise<void>((resolve) => res.once('close', () => resolve())));
    next();
  };
}

function accessLogAndMetrics(logger: Logger, registry: Registry): RequestHandler {
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Duration of HTTP requests in seconds, by method, route template and status code.',
    labelNames: ['method', 'route', 'status_code'],
    registers: [registry],
  });
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    // Read now: routers mounted under a prefix rewrite req.path while they handle the request.
    const path = req.path;
    // `close` fires for completed and aborted requests alike, after `finish` when there is one.
    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const route = routeTemplateOf(req);
      duration.observe({ method: req.method, route, status_code: String(res.statusCode) }, seconds);
      const ctx = res.locals.requestContext as RequestContext;
      const fields = {
        requestId: ctx.requestId,
        ...(ctx.userId === undefined ? {} : { userId: ctx.userId }),
        method: req.method,
        route,
        path,
        status: res.statusCode,
        durationMs: Math.round(seconds * 1e4) / 10,
        ...(res.locals[ACCESS_LOG_FIELDS] as Record<string, unknown> | undefined),
      };
      const msg = res.writableFinished ? 'request completed' : 'request aborted';
      // 503 is how a service says "a dependency is down" or "too busy, retry": an operating condition to
      // watch, not a fault in the code, and under load there can be thousands of them.
      if (res.statusCode === 503) logger.warn(fields, msg);
      else if (res.statusCode >= 500) logger.error(fields, msg);
      else logger.info(fields, msg);
    });
    next();
  };
}

function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

const JSON_TYPES = ['application/json', 'application/*+json'];

const requireJsonBody: RequestHandler = (req, _res, next) => {
  if (
    (req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH') &&
    hasBody(req) &&
    !req.is(JSON_TYPES)
  ) {
    next(new UnsupportedMediaTypeError('The request body must be application/json.'));
    return;
  }
  next();
};

/**
 * Refuses an over-long request target (414) or one with too many query parameters (400) before anything
 * parses it. Express parses the query string on every read of `req.query`; Node's `querystring` stops at
 * 1000 keys, but a client has no business sending more than a route accepts.
 */
function limitRequestTarget(maxUrlLength: number, maxQueryParams: number): RequestHandler {
  return (req, _res, next) => {
    const url = req.originalUrl;
    if (url.length > maxUrlLength) {
      next(
        new AppError({
          status: 414,
          code: 'uri-too-long',
          title: 'URI too long',
          detail: `The request target exceeds ${maxUrlLength} characters.`,
        }),
      );
      return;
    }
    const queryStart = url.indexOf('?');
    if (queryStart !== -1) {
      // Counts separators without splitting the string: `a=1&b=2` has 2 parameters.
      let params = 1;
      for (let i = url.indexOf('&', queryStart); i !== -1; i = url.indexOf('&', i + 1)) {
        params += 1;
        if (params > maxQueryParams) {
          next(
            new BadRequestError(`A request may carry at most ${maxQueryParams} query parameters.`, {
              code: 'too-many-query-parameters',
            }),
          );
          return;
        }
      }
    }
    next();
  };
}

const SIZE = /^(\d+)(b|kb|mb)$/i;
const UNIT_BYTES: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };

/** '100kb' -> 102400 (the units of BODY_LIMIT, as body-parser reads them). */
function parseSize(size: string): number {
  const match = SIZE.exec(size.trim());
  if (!match?.[1] || !match[2]) throw new RangeError(`expected a size such as 100kb or 1mb, got "${size}"`);
  return Number(match[1]) * (UNIT_BYTES[match[2].toLowerCase()] ?? 1);
}

/**
 * A declared Content-Length over the limit is refused before a byte of the body is read. (body-parser
 * would refuse it too, but only after reading the whole body off the wire.) Node then discards what the
 * client still sends, so the connection stays usable and nothing is buffered.
 */
function refuseDeclaredOversizeBody(limitBytes: number): RequestHandler {
  return (req, _res, next) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limitBytes) {
      next(new PayloadTooLargeError(`The request body exceeds the limit of ${limitBytes} bytes.`));
      return;
    }
    next();
  };
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
  app.use(trackRequests(inFlight));
  app.use(requestContextMiddleware());
  app.use(accessLogAndMetrics(logger, registry));
  app.use(helmet());
  const allowed = new Set(config.CORS_ORIGINS);
  app.use(
    cors({
      // No Origin header: not a browser cross-origin request, nothing to allow or refuse.
      origin: (origin, callback) => callback(null, origin === undefined || allowed.has(origin)),
      exposedHeaders: [REQUEST_ID_HEADER, 'ETag', 'Location', 'Retry-After'],
      maxAge: 600,
    }),
  );
  app.use(limitRequestTarget(config.HTTP_MAX_URL_LENGTH ?? 8192, config.HTTP_MAX_QUERY_PARAMS ?? 100));
  app.use(requireJsonBody);
  const bodyLimit = parseSize(config.BODY_LIMIT);
  app.use(refuseDeclaredOversizeBody(bodyLimit));
  app.use(express.json({ limit: bodyLimit, type: JSON_TYPES }));

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
