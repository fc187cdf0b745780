/** Options every error class accepts after its `detail`. */
export interface AppErrorOptions {
  /** Stable kebab-case code clients can branch on; each class has a default. */
  code?: string;
  /** Per-field messages, e.g. `{ title: ['Required'] }`. */
  errors?: Record<string, string[]>;
  /** Response headers that belong to this error (WWW-Authenticate, Retry-After ...). */
  headers?: Record<string, string>;
  /** Extra members of the problem+json body, e.g. `{ checks: { database: 'failed' } }`. */
  extensions?: Record<string, unknown>;
  /** The underlying error: logged, never sent to the client. */
  cause?: unknown;
}

export interface AppErrorInit extends AppErrorOptions {
  status: number;
  code: string;
  title: string;
  detail?: string;
  /** The problem's `type` URI; default: the kit's base followed by the code. */
  type?: string;
}

/**
 * An error the client is meant to see: the error handler turns it into a problem+json response with its
 * status, code, title and detail. Throw one of the subclasses from services; anything that is not an
 * AppError becomes a 500 with no internals.
 */
export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly type: string | undefined;
  readonly errors: Record<string, string[]> | undefined;
  readonly headers: Record<string, string> | undefined;
  readonly extensions: Record<string, unknown> | undefined;

  constructor(init: AppErrorInit) {
    super(init.detail ?? init.title, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.status = init.status;
    this.code = init.code;
    this.title = init.title;
    this.detail = init.detail;
    this.type = init.type;
    this.errors = init.errors;
    this.headers = init.headers;
    this.extensions = init.extensions;
  }
}

function init(
  status: number,
  code: string,
  title: string,
  detail: string | undefined,
  options: AppErrorOptions,
) {
  return { ...options, status, code: options.code ?? code, title, detail };
}

export class BadRequestError extends AppError {
  constructor(detail?: string, options: AppErrorOptions = {}) {
    super(init(400, 'bad-request', 'Bad request', detail, options));
  }
}

export interface UnauthorizedErrorOptions extends AppErrorOptions {
  /**
   * Why a presented token was rejected ('The token has expired'). Adds `error="invalid_token"` and this
   * text to the WWW-Authenticate challenge (RFC 6750). Leave it out when no credentials were sent.
   */
  invalidTokenDescription?: string;
}

const REALM = 'mini-backends';

export class UnauthorizedError extends AppError {
  constructor(detail?: string, options: UnauthorizedErrorOptions = {}) {
    const { invalidTokenDescription, ...rest } = options;
    const challenge =
      invalidTokenDescription === undefined
        ? `Bearer realm="${REALM}"`
        : `Bearer realm="${REALM}", error="invalid_token", error_description="${invalidTokenDescription.replace(/["\\]/g, '')}"`;
    super(
      init(401, 'unauthorized', 'Unauthorized', detail ?? 'Authentication is required.', {
        ...rest,
        headers: { 'WWW-Authenticate': challenge, ...rest.headers },
      }),
    );
  }
}

export class ForbiddenError extends AppError {
  constructor(detail?: string, options: AppErrorOptions = {}) {
    super(init(403, 'forbidden', 'Forbidden', detail ?? 'You are not allowed to do this.', options));
  }
}

export class NotFoundError extends AppError {
  constructor(detail?: string, options: AppErrorOptions = {}) {
    super(init(404, 'not-found', 'Not found', detail ?? 'The resource was not found.', options));
  }
}

export class ConflictError extends AppError {
  constructor(detail?: string, options: AppErrorOptions = {}) {
    super(init(409, 'conflict', 'Conflict', detail, options));
  }
}

export class PreconditionFailedError extends AppError {
  constructor(detail?: string, options: AppErrorOptions = {}) {
    super(init(412, 'precondition-failed', 'Precondition failed', detail, options));
  }
}

/** A write this service only takes conditionally was sent without `If-Match` (RFC 6585). */
export class PreconditionRequiredError extends AppError {
  constructor(detail?: string, options: AppErrorOptions = {}) {
    super(init(428, 'precondition-required', 'Precondition required', detail, options));
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(detail?: string, options: AppErrorOptions = {}) {
    super(init(413, 'payload-too-large', 'Payload too large', detail, options));
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(detail?: string, options: AppErrorOptions = {}) {
    super(init(415, 'unsupported-media-type', 'Unsupported media type', detail, options));
  }
}

export class ValidationError extends AppError {
  constructor(detail?: string, options: AppErrorOptions = {}) {
    super(
      init(422, 'validation-failed', 'Validation failed', detail ?? 'The request is not valid.', options),
    );
  }
}

export interface TooManyRequestsErrorOptions extends AppErrorOptions {
  /** Sent as `Retry-After`. */
  retryAfterSeconds?: number;
}

export class TooManyRequestsError extends AppError {
  constructor(detail?: string, options: TooManyRequestsErrorOptions = {}) {
    const { retryAfterSeconds, ...rest } = options;
    const headers =
      retryAfterSeconds === undefined
        ? rest.headers
        : { 'Retry-After': String(Math.max(0, Math.ceil(retryAfterSeconds))), ...rest.headers };
    super(init(429, 'too-many-requests', 'Too many requests', detail, { ...rest, headers }));
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(detail?: string, options: AppErrorOptions = {}) {
    super(init(503, 'service-unavailable', 'Service unavailable', detail, options));
  }
}

export class InternalError extends AppError {
  constructor(options: AppErrorOptions = {}) {
    super(init(500, 'internal-error', 'Internal server error', 'An unexpected error occurred.', options));
  }
}
