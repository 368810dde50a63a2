/**
 * Loads the sandbox addon (napi's generated loader at the package root). When the binary for
 * this platform is missing, the error names the platform, the package that carries it and the
 * command that installs it, like `uzgate`'s own load error (same `code`, `NATIVE_ADDON_MISSING`).
 */
import type * as Native from '../index';

/** napi's platform key of this host: linux-x64-gnu, linux-x64-musl, darwin-arm64, win32-x64-msvc… */
function platformKey(): string {
  const { platform, arch } = process;
  if (platform === 'linux') {
    const report = process.report.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
    return `linux-${arch}-${report?.header?.glibcVersionRuntime ? 'gnu' : 'musl'}`;
  }
  if (platform === 'win32') return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

/** The first line of each `cause` napi chains, one per place it looked. */
function causes(cause: unknown): string {
  const seen: string[] = [];
  for (let c: unknown = cause; c !== undefined && c !== null && seen.length < 8; c = c instanceof Error ? c.cause : undefined) {
    seen.push((c instanceof Error ? c.message : typeof c === 'string' ? c : 'a non-Error value').split('\n')[0] ?? '');
  }
  return seen.join(' <- ');
}

export function sandboxLoadError(cause: unknown): Error {
  const key = platformKey();
  const pkg = `uzgate-sandbox-${key}`;
  const error = new Error(
    `uzgate-sandbox: the sandbox addon for ${key} could not be loaded. The package ${pkg} carries it; npm skips ` +
      `optional platform packages when node_modules was installed on another platform or with --omit=optional ` +
      `(or on a platform uzgate does not build for). Reinstall on this machine: \`npm install --save-dev uzgate-sandbox\`. ` +
      `From a clone of the repository, run \`npm run build\`. napi's cause: ${causes(cause)}`,
  ) as Error & { code: string; platform: string; packageName: string };
  error.name = 'UzgateLoadError';
  error.code = 'NATIVE_ADDON_MISSING';
  error.platform = key;
  error.packageName = pkg;
  error.cause = cause;
  return error;
}

function load(): typeof Native {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('../index.js') as typeof Native;
  } catch (cause) {
    throw sandboxLoadError(cause);
  }
}

export const native: typeof Native = load();
export type { Native };
