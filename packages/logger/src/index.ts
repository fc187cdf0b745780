import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, stdTimeFunctions, type DestinationStream, type Level, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';

export interface RequestContext {
  requestId: string;
  userId?: string;
}

/** The context of the request being handled; empty outside a request. */
export const requestContext = new AsyncLocalStorage<RequestContext>();

/** Runs `fn` (and every async call it makes) inside `ctx`. */
export function runWithContext<T>(ctx: RequestContext, fn: () => T): T {
  return requestContext.run(ctx, fn);
}

export function getRequestContext(): RequestContext | undefined {
  return requestContext.getStore();
}

/** Records the authenticated user on the current request's context (no-op outside a request). */
export function setContextUserId(userId: string): void {
  const ctx = requestContext.getStore();
  if (ctx) ctx.userId = userId;
}

const SECRET_KEYS = [
  'password',
  'currentPassword',
  'newPassword',
  'token',
  'accessToken',
  'refreshToken',
  'secret',
  'authorization',
  'cookie',
];

// pino's redaction matches fixed paths, so each secret key is listed at every depth a handler is
// likely to log it: `{ password }`, `{ body: { password } }`, `{ req: { body: { password } } }`.
export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`]),
];

export interface CreateLoggerOptions {
  name: string;
  level?: Level | 'silent';
  /** Human-readable output. Default: only on a TTY in development or test (NODE_ENV unset is production). */
  pretty?: boolean;
  /** Where lines go (tests pass a stream to capture them). Default: stdout. */
  destination?: DestinationStream;
}

function wantsPretty(option: boolean | undefined): boolean {
  if (option !== undefined) return option;
  const env = process.env.NODE_ENV;
  return process.stdout.isTTY === true && (env === 'development' || env === 'test');
}

export function createLogger(options: CreateLoggerOptions): Logger {
  const destination = wantsPretty(options.pretty)
    ? pretty({
        destination: options.destination ?? 1,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname',
      })
    : // Synchronous writes: the last lines before process.exit() (shutdown, fatal errors) must not be lost.
      (options.destination ?? pino.destination({ dest: 1, sync: true }));
  return pino(
    {
      name: options.name,
      level: options.level ?? 'info',
      timestamp: stdTimeFunctions.isoTime,
      redact: { paths: redactPaths, censor: '[redacted]' },
      // The mixin runs on every line, so anything logged while a request is handled carries its id.
      mixin() {
        const ctx = requestContext.getStore();
        if (!ctx) return {};
        return ctx.userId === undefined
          ? { requestId: ctx.requestId }
          : { requestId: ctx.requestId, userId: ctx.userId };
      },
    },
    destination,
  );
}
