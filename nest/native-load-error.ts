/**
 * The error thrown when the native addon cannot be loaded: it names this platform, the npm
 * package that carries the addon for it, napi's own cause, and what to do. The usual causes are
 * a node_modules installed on another platform (a macOS laptop's copied into a Linux image, a
 * glibc image's into Alpine), `--omit=optional`, or a platform uzgate does not build for.
 */

/** The platforms uzgate publishes an addon for (napi's names; the package is `uzgate-<key>`). */
export const SUPPORTED_PLATFORMS = [
  'linux-x64-gnu',
  'linux-x64-musl',
  'linux-arm64-gnu',
  'linux-arm64-musl',
  'darwin-x64',
  'darwin-arm64',
  'win32-x64-msvc',
] as const;

const SUPPORTED_TEXT =
  'linux x64 and arm64 (glibc 2.17+ or musl), macOS x64 and arm64, Windows x64; Node 20.17+';

export interface HostPlatform {
  platform: string;
  arch: string;
  /** linux only: 'glibc' or 'musl' */
  libc?: 'glibc' | 'musl';
}

export function hostPlatform(): HostPlatform {
  const { platform, arch } = process;
  if (platform !== 'linux') return { platform, arch };
  const report = process.report.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return { platform, arch, libc: report?.header?.glibcVersionRuntime ? 'glibc' : 'musl' };
}

/** napi's platform key for a host: linux-x64-musl, darwin-arm64, win32-x64-msvc, … */
export function platformKey(host: HostPlatform): string {
  if (host.platform === 'linux') return `linux-${host.arch}-${host.libc === 'musl' ? 'musl' : 'gnu'}`;
  if (host.platform === 'win32') return `win32-${host.arch}-msvc`;
  return `${host.platform}-${host.arch}`;
}

/** napi's load errors come as a chain of `cause`s, one per place it looked. */
function causeChain(cause: unknown): string[] {
  const seen: string[] = [];
  let current: unknown = cause;
  while (current !== undefined && current !== null && seen.length < 8) {
    // first lines only: Node appends each failed require's whole require stack
    const text = current instanceof Error ? current.message : typeof current === 'string' ? current : 'a non-Error value';
    seen.push(text.split('\n')[0] ?? '');
    current = current instanceof Error ? current.cause : undefined;
  }
  return seen;
}

export function nativeLoadError(cause: unknown, host: HostPlatform = hostPlatform()): Error {
  const key = platformKey(host);
  const pkg = `uzgate-${key}`;
  const supported = (SUPPORTED_PLATFORMS as readonly string[]).includes(key);
  const napiSays = causeChain(cause).join(' <- ');
  const installFlags = [`--os=${host.platform}`, `--cpu=${host.arch}`, ...(host.libc ? [`--libc=${host.libc}`] : [])].join(' ');
  const todo = supported
    ? `The package ${pkg} carries it and is not installed: npm skips optional platform packages when ` +
      `node_modules was installed on another platform or with --omit=optional. Install it for this ` +
      `platform: \`npm install ${installFlags} uzgate\` (or list every platform you deploy to, e.g. ` +
      `\`npm install --os=linux --cpu=x64 --libc=musl uzgate\` for Alpine images), or run \`npm install\` ` +
      `inside the image instead of copying node_modules into it. Supported platforms: ${SUPPORTED_TEXT}.`
    : `uzgate publishes no addon for ${key} (there is no package ${pkg}). Supported platforms: ${SUPPORTED_TEXT}.`;
  const error = new Error(
    `uzgate: the native addon for ${key} could not be loaded. ${todo} ` +
      `From a clone of the repository, run \`npm run build\`. ` +
      `napi's cause: ${napiSays}`,
  ) as Error & { code: string; platform: string; packageName: string };
  error.name = 'UzgateLoadError';
  error.code = 'NATIVE_ADDON_MISSING';
  error.platform = key;
  error.packageName = pkg;
  error.cause = cause;
  return error;
}
