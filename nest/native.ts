/**
 * Loads the native addon (napi's generated loader at the package root) with an error that says
 * what to do when the binary for this platform is missing (see native-load-error.ts).
 */
import type * as Native from '../index';
import { UzgateError } from './errors';
import { nativeLoadError } from './native-load-error';

/**
 * `UZGATE_THREADS` sizes the addon's runtime and is read by the addon as it loads
 * (src/runtime.rs), where nothing can be thrown: a malformed value is refused here, before.
 */
export function checkThreadsVariable(value: string | undefined): void {
  if (value === undefined || value.trim() === '') return;
  const n = Number(value.trim());
  if (!/^\d+$/.test(value.trim()) || n < 1 || n > 64) {
    throw new UzgateError(`UZGATE_THREADS must be a whole number from 1 to 64, the addon's worker threads (got ${JSON.stringify(value.slice(0, 20))})`, {
      code: 'CONFIG',
    });
  }
}

function load(): typeof Native {
  checkThreadsVariable(process.env.UZGATE_THREADS);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('../index.js') as typeof Native;
  } catch (cause) {
    throw nativeLoadError(cause);
  }
}

export const native: typeof Native = load();
export type { Native };
