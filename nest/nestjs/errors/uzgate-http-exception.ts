/**
 * UzgateError → HttpException. The body keeps the error's `code` (and provider, retry hint,
 * validation details) so API clients can branch on it; `Retry-After` travels as a header, which
 * UzgateExceptionFilter writes.
 */
import { HttpException, HttpStatus } from '@nestjs/common';
import { UzgateError, type UzgateErrorCode } from '../../index';
import { httpStatusFor } from './http-status';

export interface UzgateErrorBody {
  statusCode: number;
  /** The HTTP reason phrase, as in Nest's own error bodies. */
  error: string;
  code: UzgateErrorCode;
  message: string;
  provider?: string;
  retryAfterMs?: number;
  /** Client errors only: what the provider said (e.g. Eskiz's moderation text). */
  providerMessage?: string;
  /** Client errors only: field-level validation errors. */
  details?: unknown;
}

export class UzgateHttpException extends HttpException {
  /** The uzgate error code, e.g. `RATE_LIMITED`. */
  readonly code: UzgateErrorCode;
  /** Headers to send with the response (`Retry-After`). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(readonly uzgateError: UzgateError) {
    const status = httpStatusFor(uzgateError.code);
    super(errorBody(uzgateError, status), status, { cause: uzgateError });
    this.code = uzgateError.code;
    this.headers = retryAfterHeader(uzgateError, status);
  }
}

/**
 * Any thrown value as an HttpException: uzgate errors by their code, HttpExceptions unchanged,
 * anything else as a 500 (`INTERNAL`).
 */
export function toHttpException(error: unknown): HttpException {
  if (error instanceof HttpException) return error;
  return new UzgateHttpException(UzgateError.from(error));
}

function errorBody(e: UzgateError, status: HttpStatus): UzgateErrorBody {
  const clientError = status < HttpStatus.INTERNAL_SERVER_ERROR;
  return dropUndefined({
    statusCode: status,
    error: reasonPhrase(status),
    code: e.code,
    // A 500 means a bug or a broken setup on our side: details belong in the server log.
    message: status === HttpStatus.INTERNAL_SERVER_ERROR ? 'Internal server error' : e.message,
    provider: e.provider,
    retryAfterMs: e.retryAfterMs,
    providerMessage: clientError ? e.providerMessage : undefined,
    details: clientError ? e.details : undefined,
  });
}

function retryAfterHeader(e: UzgateError, status: HttpStatus): Record<string, string> {
  const retryable = status === HttpStatus.TOO_MANY_REQUESTS || status === HttpStatus.SERVICE_UNAVAILABLE;
  if (!retryable || e.retryAfterMs === undefined) return {};
  return { 'Retry-After': String(Math.max(1, Math.ceil(e.retryAfterMs / 1000))) };
}

function reasonPhrase(status: number): string {
  const name = HttpStatus[status];
  if (!name) return 'Error';
  return name
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
