/**
 * The sandbox's failures keep the shape of uzgate's errors: a stable `code` (`INVALID_ARGUMENT`
 * for a bad option or fault, `CLOSED` after `close()`) and `retryable`, so tests branch on
 * `err.code` and `UzgateError.from(err)` keeps it.
 */

export class SandboxError extends Error {
  readonly code: string;
  readonly retryable: boolean;

  constructor(message: string, code: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SandboxError';
    this.code = code;
    this.retryable = false;
  }
}

/** napi's own argument-conversion failures (a wrong type): bad input, like uzgate's. */
const NAPI_ARGUMENT_CODES = new Set(['InvalidArg', 'StringExpected', 'NumberExpected', 'ObjectExpected', 'ArrayExpected', 'BooleanExpected']);

function toSandboxError(error: unknown): SandboxError {
  if (error instanceof SandboxError) return error;
  // the addon's errors belong to Node's main realm (not `instanceof Error` under Jest): read by shape
  const e = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; message?: unknown };
  const raw = typeof e.code === 'string' ? e.code : '';
  // napi's text quotes the value it could not convert: keep neither it nor the original error
  if (NAPI_ARGUMENT_CODES.has(raw)) return new SandboxError('a sandbox argument has the wrong type', 'INVALID_ARGUMENT');
  const message = typeof e.message === 'string' ? e.message : String(error);
  return new SandboxError(message, raw === '' ? 'INTERNAL' : raw, { cause: error });
}

export function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw toSandboxError(e);
  }
}

export async function guardAsync<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toSandboxError(e);
  }
}
