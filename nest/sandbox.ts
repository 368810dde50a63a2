/**
 * `startSandbox()` as `uzgate` has always exported it, now a delegate: the sandbox gateway lives
 * in the dev dependency `uzgate-sandbox` (its own addon, so production processes never carry an
 * HTTP server). The package is loaded only when `startSandbox()` is called; without it, the call
 * rejects with `SANDBOX_NOT_INSTALLED` saying what to install.
 */
import { call, UzgateError } from './errors';
import type { Sandbox, SandboxOptions, StartSandbox } from './sandbox-types';

/** The npm package that carries the sandbox. */
export const SANDBOX_PACKAGE = 'uzgate-sandbox';

function isMissing(cause: unknown, name: string): boolean {
  const e = cause as { code?: unknown; message?: unknown } | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    e.code === 'MODULE_NOT_FOUND' &&
    typeof e.message === 'string' &&
    e.message.startsWith(`Cannot find module '${name}'`)
  );
}

function loadSandboxPackage(): { startSandbox: StartSandbox } {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(SANDBOX_PACKAGE) as { startSandbox: StartSandbox };
  } catch (cause) {
    if (!isMissing(cause, SANDBOX_PACKAGE)) throw cause; // e.g. its addon missing for this platform: its own error says what to do
    throw new UzgateError(
      `startSandbox() needs the package ${SANDBOX_PACKAGE}, which is not installed. The sandbox gateway is a ` +
        `dev dependency of its own, kept out of the production addon: \`npm install --save-dev ${SANDBOX_PACKAGE}\` ` +
        `(the same version as uzgate), then import startSandbox from '${SANDBOX_PACKAGE}' or keep importing it from 'uzgate'.`,
      { code: 'SANDBOX_NOT_INSTALLED' },
    );
  }
}

/** Starts a sandbox on 127.0.0.1 (`port` 0 or absent: a free port), through `uzgate-sandbox`. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const { startSandbox: start } = loadSandboxPackage();
  return call(() => start(options));
}
