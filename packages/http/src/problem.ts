import type { Response } from 'express';
import { getRequestContext } from '@mini/logger';
import type { AppError } from './errors.ts';

export const PROBLEM_TYPE_BASE = 'https://mini-backends.dev/problems/';

/** RFC 9457 body, plus `code`, `requestId` and, for validation, `errors`. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  requestId?: string;
  errors?: Record<string, string[]>;
  [extension: string]: unknown;
}

export function problemBody(error: AppError, requestId = getRequestContext()?.requestId): ProblemDetails {
  return {
    ...error.extensions,
    type: error.type ?? `${PROBLEM_TYPE_BASE}${error.code}`,
    title: error.title,
    status: error.status,
    ...(error.detail === undefined ? {} : { detail: error.detail }),
    code: error.code,
    ...(requestId === undefined ? {} : { requestId }),
    ...(error.errors === undefined ? {} : { errors: error.errors }),
  };
}

/** Sends `error` as `application/problem+json` with its headers; the one way every package answers an error. */
export function sendProblem(res: Response, error: AppError): void {
  for (const [name, value] of Object.entries(error.headers ?? {})) res.setHeader(name, value);
  res
    .status(error.status)
    .type('application/problem+json')
    .send(JSON.stringify(problemBody(error)));
}
