/**
 * Loads the native addon (napi's generated loader at the package root) with an error that says
 * what to do when the binary for this platform is missing.
 */
import type * as Native from '../index';

function load(): typeof Native {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('../index.js') as typeof Native;
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new Error(
      `uzgate: the native addon could not be loaded for ${process.platform}-${process.arch} (${reason}). ` +
        'In a clone of the repository run `npm run build`; from npm, reinstall so the platform package is fetched.',
      { cause },
    );
  }
}

export const native: typeof Native = load();
export type { Native };
