/**
 * UzgateError: every rejection of uzgate is one, with a stable `code` to branch on.
 */

export const ERROR_CODES = [
  'INVALID_ARGUMENT',
  'INVALID_PHONE',
  'AUTH_FAILED',
  'REAUTHORIZATION_REQUIRED',
  'RATE_LIMITED',
  'PROVIDER_REJECTED',
  'PROVIDER_UNAVAILABLE',
  'ACCESS_BLOCKED',
  'ACCOUNT_UNPAID',
  'TIMEOUT',
  'NETWORK',
  'OUTCOME_UNKNOWN',
  'NOT_FOUND',
  'CONFIG',
  'STORE_ERROR',
  'CLOSED',
  'NOT_IMPLEMENTED',
  'SANDBOX_NOT_INSTALLED',
  'INTERNAL',
] as const;

export type UzgateErrorCode = (typeof ERROR_CODES)[number];

export interface UzgateErrorFields {
  code: UzgateErrorCode;
  provider?: string;
  status?: number;
  retryable?: boolean;
  retryAfterMs?: number;
  providerMessage?: string;
  details?: unknown;
  attempts?: SendAttempt[];
}

/** One provider's part in a routed send (see `SmsClient` routing). */
export interface SendAttempt {
  provider: string;
  /** `sent`, `failed` (with `code`), or `skipped` (its circuit breaker is open). */
  outcome: 'sent' | 'failed' | 'skipped';
  code?: string;
  /** Why the send moved on to the next provider; absent where it stopped. */
  movedOn?: string;
  /** A skipped provider may be tried again in this many ms. */
  retryInMs?: number;
}

const KNOWN = new Set<string>(ERROR_CODES);

/** napi's own argument-conversion failures (a missing field, a wrong type). */
const NAPI_ARGUMENT_CODES = new Set(['InvalidArg', 'StringExpected', 'NumberExpected', 'ObjectExpected', 'ArrayExpected', 'BooleanExpected']);

export class UzgateError extends Error {
  readonly code: UzgateErrorCode;
  /** `eskiz` | `twilio` | `amocrm` | `console` | `otp` | `store` */
  readonly provider?: string;
  /** The provider's HTTP status, when there was a response. */
  readonly status?: number;
  /** Whether repeating the same call later may succeed. */
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  /** The provider's own words (e.g. Eskiz's moderation text). */
  readonly providerMessage?: string;
  /** Structured detail, e.g. amoCRM validation errors field by field. */
  readonly details?: unknown;
  /** A routed send: each provider tried, in order, and how it ended. */
  readonly attempts?: SendAttempt[];

  constructor(message: string, fields: UzgateErrorFields, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UzgateError';
    this.code = fields.code;
    this.provider = fields.provider;
    this.status = fields.status;
    this.retryable = fields.retryable ?? false;
    this.retryAfterMs = fields.retryAfterMs;
    this.providerMessage = fields.providerMessage;
    this.details = fields.details;
    this.attempts = fields.attempts;
  }

  /**
   * Any thrown value → UzgateError (errors of the addon keep every field). The addon's own
   * argument-conversion failures become `conversionCode` with a message naming the field only.
   */
  static from(error: unknown, conversionCode: UzgateErrorCode = 'INVALID_ARGUMENT'): UzgateError {
    if (error instanceof UzgateError) return error;
    const conversion = conversionFailure(error);
    if (conversion !== undefined) return new UzgateError(conversion, { code: conversionCode });
    // Errors made by the addon belong to Node's main realm: under Jest's VM contexts they are not
    // `instanceof Error`, so recognise them by shape.
    if (isErrorLike(error)) {
      const e = error as Error & Partial<Record<keyof UzgateErrorFields, unknown>>;
      const rawCode = typeof e.code === 'string' ? e.code : '';
      const code: UzgateErrorCode = KNOWN.has(rawCode)
        ? (rawCode as UzgateErrorCode)
        : NAPI_ARGUMENT_CODES.has(rawCode)
          ? conversionCode
          : 'INTERNAL';
      return new UzgateError(
        e.message,
        {
          code,
          provider: typeof e.provider === 'string' ? e.provider : undefined,
          status: typeof e.status === 'number' ? e.status : undefined,
          retryable: typeof e.retryable === 'boolean' ? e.retryable : false,
          retryAfterMs: typeof e.retryAfterMs === 'number' ? e.retryAfterMs : undefined,
          providerMessage: typeof e.providerMessage === 'string' ? e.providerMessage : undefined,
          details: e.details,
          attempts: Array.isArray(e.attempts) ? (e.attempts as SendAttempt[]) : undefined,
        },
        { cause: error },
      );
    }
    return new UzgateError(String(error), { code: 'INTERNAL' });
  }
}

/**
 * The message for one of napi's argument-conversion failures, or undefined for any other error.
 * napi's text quotes the value it could not convert (a phone number, a password), so only the
 * struct and field names it appends (`… on SendInput.to`, ``Missing field `to` ``) are kept, and
 * the original error is dropped rather than kept as a cause.
 */
function conversionFailure(error: unknown): string | undefined {
  if (!isErrorLike(error)) return undefined;
  if (!/^(Failed to convert|Missing field|Failed to get)/.test(error.message)) return undefined;
  const field = / on ([A-Za-z][A-Za-z0-9]*)\.([A-Za-z][A-Za-z0-9_]*)$/.exec(error.message);
  if (field) return `${field[1]}.${field[2]} has the wrong type`;
  const missing = /^Missing field `([A-Za-z][A-Za-z0-9_]*)`$/.exec(error.message);
  if (missing) return `${missing[1]} is required`;
  return 'an argument has the wrong type';
}

function isErrorLike(value: unknown): value is Error {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { message?: unknown }).message === 'string' &&
    typeof (value as { name?: unknown }).name === 'string'
  );
}

/** Runs a native call, turning anything it throws or rejects with into an UzgateError. */
export async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw UzgateError.from(e);
  }
}

/** The same for synchronous native calls. */
export function callSync<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw UzgateError.from(e);
  }
}

/**
 * For constructors: options with a wrong type are configuration, so the addon's conversion
 * failures become `CONFIG` (like an unknown key or a missing provider), not `INVALID_ARGUMENT`.
 */
export function construct<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw UzgateError.from(e, 'CONFIG');
  }
}
