/**
 * Loads the native addon (napi's generated loader at the package root) with an error that says
 * what to do when the binary for this platform is missing (see native-load-error.ts).
 */
import type * as Native from '../index';
import { nativeLoadError } from './native-load-error';

function load(): typeof Native {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('../index.js') as typeof Native;
  } catch (cause) {
    throw nativeLoadError(cause);
  }
}

export const native: typeof Native = load();
export type { Native };
