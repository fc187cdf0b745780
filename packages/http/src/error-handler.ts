import type { ErrorRequestHandler, RequestHandler } from 'express';
import { isDatabaseUnavailable } from '@mini/db/errors';
import type { Logger } from '@mini/logger';
import {
  AppError,
  BadRequestError,
  ConflictError,
  InternalError,
  NotFoundError,
  PayloadTooLargeError,
  ServiceUnavailableError,
  UnsupportedMediaTypeError,
} from './errors.ts';
import { sendProblem } from './problem.ts';

interface ErrorLike {
  type?: unknown;
  status?: unknown;
  expose?: unknown;
  limit?: unknown;
  code?: unknown;
  meta?: {
    target?: unknown;
    modelName?: unknown;
    driverAdapterError?: {
      cause?: { originalCode?: unknown; constraint?: { fields?: unknown; index?: unknown } };
    };
  };
}

function uniqueConstraintName(meta: ErrorLike['meta']): string | undefined {
  const constraint = meta?.driverAdapterError?.cause?.constraint;
  if (Array.isArray(constraint?.fields) && constraint.fields.length > 0) return constraint.fields.join(', ');
  if (typeof constraint?.index === 'string') return constraint.index;
  if (Array.isArray(meta?.target)) return meta.target.join(', ');
  if (typeof meta?.target === 'string') return meta.target;
  return undefined;
}

/**
 * Input the request's own parsers could not take, which must be the client's 4xx, never a 500:
 * - a path parameter that is not valid percent-encoding (`/projects/%ZZ`): Express' router throws a
 *   URIError with status 400 before any route runs;
 * - text Postgres cannot store (NUL: SQLSTATE 22021, or 22P05 in JSON), should any get past validation.
 */
function unreadableInput(error: object): AppError | undefined {
  const e = error as ErrorLike;
  if (error instanceof URIError && e.status === 400) {
    return new BadRequestError('A path segment is not valid percent-encoding.', {
      code: 'malformed-path',
      cause: error,
    });
  }
  const sqlState = e.meta?.driverAdapterError?.cause?.originalCode ?? e.code;
  if (sqlState === '22021' || sqlState === '22P05') {
    return new BadRequestError('The request holds text that cannot be stored, such as a NUL character.', {
      code: 'unsupported-character',
      cause: error,
    });
  }
  return undefined;
}

/**
 * Maps what can reach the error handler to an AppError: our own errors, body-parser's errors
 * (recognised by `type`) and Prisma's known request errors (recognised by `code`, so this package does
 * not depend on Prisma). Returns undefined for anything unexpected.
 */
export function toAppError(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  if (typeof error !== 'object' || error === null) return undefined;
  const unreadable = unreadableInput(error);
  if (unreadable) return unreadable;
  const e = error as ErrorLike;
  switch (e.type) {
    case 'entity.parse.failed':
      return new BadRequestError('The request body is not valid JSON.', {
        code: 'malformed-json',
        cause: error,
      });
    case 'entity.too.large':
      return new PayloadTooLargeError(
        typeof e.limit === 'number'
          ? `The request body exceeds the limit of ${e.limit} bytes.`
          : 'The request body is too large.',
        { cause: error },
      );
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new UnsupportedMediaTypeError('The request body uses an unsupported encoding or charset.', {
        cause: error,
      });
  }
  if (e.code === 'P2002') {
    const name = uniqueConstraintName(e.meta);
    return new ConflictError(
      name === undefined
        ? 'A record with the same unique value already exists.'
        : `A record with the same ${name} already exists.`,
      { cause: error },
    );
  }
  if (e.code === 'P2025') return new NotFoundError('The record was not found.', { cause: error });
  // A transaction that lost a race (deadlock 40P01, serialization failure 40001; Prisma P2034) was rolled
  // back whole: nothing changed, and the same request sent again will most likely succeed.
  const sqlState = e.meta?.driverAdapterError?.cause?.originalCode ?? e.code;
  if (e.code === 'P2034' || sqlState === '40P01' || sqlState === '40001') {
    return new ConflictError(
      'The request collided with a concurrent change and was not applied; send it again.',
      {
        code: 'conflict-retry',
        headers: { 'Retry-After': '1' },
        cause: error,
      },
    );
  }
  // The database is down, unreachable, restarting, out of connections or silent: nothing is wrong with the
  // request, and sent again in a moment it will most likely succeed.
  if (isDatabaseUnavailable(error)) {
    return new ServiceUnavailableError('The database is unavailable; try again shortly.', {
      code: 'dependency-unavailable',
      headers: { 'Retry-After': '1' },
      cause: error,
    });
  }
  // A row refers to one that is gone (P2003, foreign key): deleted by a concurrent request between a check
  // and the write. Services lock what they refer to; this is the safety net, a conflict, never a 500.
  if (e.code === 'P2003') {
    return new ConflictError('The request refers to a record that no longer exists.', { cause: error });
  }
  // Other client errors raised by Express' own middleware (aborted request, bad Content-Length ...).
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500 && e.expose === true) {
    return new BadRequestError('The request could not be read.', { cause: error });
  }
  return undefined;
}

/** res.locals key of the fields the error handler adds to the request's access log line. */
export const ACCESS_LOG_FIELDS = 'accessLogFields';

// Prisma's messages start with the failed call and its source lines; the last line says what happened.
function lastLine(message: string): string {
  return message.trim().split('\n').at(-1) ?? message;
}

/** The single error handler: every error ends here as problem+json; unexpected ones are logged with stack. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      // Too late for a problem body; Express' default handler closes the connection.
      logger.error({ err: error }, 'error after the response was sent');
      next(error);
      return;
    }
    const appError = toAppError(error);
    if (appError) {
      if (appError.status === 503) {
        // A deliberate answer (a dependency is down, the service sheds load), not a fault in the code:
        // under load there can be thousands, so no line of its own and no stack. The request's access line
        // (a warning for a 503) carries the code and the cause's message: which dependency, and how.
        const reason = appError.cause instanceof Error ? lastLine(appError.cause.message) : undefined;
        res.locals[ACCESS_LOG_FIELDS] = { code: appError.code, ...(reason === undefined ? {} : { reason }) };
      } else if (appError.status >= 500) {
        logger.error({ err: error }, appError.title);
      }
      sendProblem(res, appError);
      return;
    }
    logger.error({ err: error, method: req.method, path: req.path }, 'unhandled error');
    sendProblem(res, new InternalError());
  };
}

/** 404 problem+json for any request no route matched. */
export const notFoundHandler: RequestHandler = (req, res) => {
  sendProblem(
    res,
    new NotFoundError(`No route matches ${req.method} ${req.path}.`, { code: 'route-not-found' }),
  );
};
