import { randomUUID } from 'node:crypto';
import cors from 'cors';
import express, { type Express, type Request, type RequestHandler } from 'express';
import helmet from 'helmet';
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { runWithContext, type Logger, type RequestContext } from '@mini/logger';
import { docsRouter } from './docs.ts';
import { ServiceUnavailableError, UnsupportedMediaTypeError } from './errors.ts';
import { errorHandler, notFoundHandler } from './error-handler.ts';
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
    TRUST_PROXY: boolean;
  };
  logger: Logger;
  /** Each check resolves when its dependency is reachable; `/readyz` runs them all. */
  readinessChecks?: Record<string, () => Promise<void>>;
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
  app.use(requireJsonBody);
  app.use(express.json({ limit: config.BODY_LIMIT, type: JSON_TYPES }));

  app.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });

  const readinessChecks = Object.entries(options.readinessChecks ?? {});
  const readinessTimeoutMs = options.readinessTimeoutMs ?? 2000;
  app.get('/readyz', async (_req, res) => {
    const results = await Promise.allSettled(
      readinessChecks.map(([, check]) => withTimeout(check, readinessTimeoutMs)),
    );
    const checks: Record<string, 'ok' | 'failed'> = {};
    const failing: string[] = [];
    results.forEach((result, index) => {
      const name = readinessChecks[index]?.[0] ?? String(index);
      checks[name] = result.status === 'fulfilled' ? 'ok' : 'failed';
      if (result.status === 'rejected') {
        failing.push(name);
        logger.warn({ err: result.reason, check: name }, 'readiness check failed');
      }
    });
    res.set('Cache-Control', 'no-store');
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
    res.json({ status: 'ready', checks });
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
