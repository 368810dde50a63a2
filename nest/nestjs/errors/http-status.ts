/**
 * Which HTTP status an uzgate error code becomes when it reaches a client of your API.
 *
 * Provider trouble is split by what the caller can do about it: 503 when it is temporary and a
 * later retry may work (provider down, connection failed, amoCRM's temporary block, a client
 * shutting down), 502 when the upstream refused us for a reason that needs a human (bad
 * credentials, a revoked integration, an unpaid account).
 */
import { HttpStatus } from '@nestjs/common';
import type { UzgateErrorCode } from '../../index';

export const HTTP_STATUS_BY_CODE: Readonly<Record<UzgateErrorCode, HttpStatus>> = {
  INVALID_ARGUMENT: HttpStatus.BAD_REQUEST,
  INVALID_PHONE: HttpStatus.BAD_REQUEST,
  NOT_FOUND: HttpStatus.NOT_FOUND,
  PROVIDER_REJECTED: HttpStatus.UNPROCESSABLE_ENTITY,
  RATE_LIMITED: HttpStatus.TOO_MANY_REQUESTS,
  AUTH_FAILED: HttpStatus.BAD_GATEWAY,
  REAUTHORIZATION_REQUIRED: HttpStatus.BAD_GATEWAY,
  ACCOUNT_UNPAID: HttpStatus.BAD_GATEWAY,
  PROVIDER_UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
  NETWORK: HttpStatus.SERVICE_UNAVAILABLE,
  ACCESS_BLOCKED: HttpStatus.SERVICE_UNAVAILABLE,
  CLOSED: HttpStatus.SERVICE_UNAVAILABLE,
  TIMEOUT: HttpStatus.GATEWAY_TIMEOUT,
  OUTCOME_UNKNOWN: HttpStatus.GATEWAY_TIMEOUT,
  NOT_IMPLEMENTED: HttpStatus.NOT_IMPLEMENTED,
  CONFIG: HttpStatus.INTERNAL_SERVER_ERROR,
  SANDBOX_NOT_INSTALLED: HttpStatus.INTERNAL_SERVER_ERROR,
  STORE_ERROR: HttpStatus.INTERNAL_SERVER_ERROR,
  INTERNAL: HttpStatus.INTERNAL_SERVER_ERROR,
};

export function httpStatusFor(code: UzgateErrorCode): HttpStatus {
  // A code from an addon newer than these typings has no entry.
  return (HTTP_STATUS_BY_CODE as Partial<Record<string, HttpStatus>>)[code] ?? HttpStatus.INTERNAL_SERVER_ERROR;
}
