/**
 * The main package installed without its platform package (what a user gets when node_modules
 * was installed on another platform, with --omit=optional, or on an unsupported platform):
 * `require('uzgate')` must fail saying which platform, which package is missing, napi's own cause
 * and the npm command that fixes it. Packs the repository as npm would publish it and installs
 * that tarball alone into an empty folder outside the repository.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hostPlatform, nativeLoadError, platformKey } from '../../nest/native-load-error';

const root = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
let work: string;
let tarball: string;
let packedFiles: string[];

beforeAll(() => {
  if (!fs.existsSync(path.join(root, 'dist', 'index.js'))) throw new Error('dist/ is missing: run npm run build first');
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'uzgate-alone-'));
  // npm test has just built dist/; --ignore-scripts skips prepack's second tsc run
  const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: root, encoding: 'utf8' });
  const [info] = JSON.parse(out.slice(out.indexOf('[')));
  tarball = path.join(work, info.filename);
  packedFiles = info.files.map((f: { path: string }) => f.path);
  fs.writeFileSync(path.join(work, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
  // --offline: uzgate has no dependencies, and its platform packages must not come from anywhere
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--omit=optional', '--loglevel=error', tarball], { cwd: work, stdio: 'pipe' });
}, 120_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('the main tarball carries the loader and types, no .node, and depends on every platform package at its own version', () => {
  expect(packedFiles.filter((f) => f.endsWith('.node'))).toEqual([]);
  expect(packedFiles).toEqual(expect.arrayContaining(['index.js', 'index.d.ts', 'dist/index.js', 'dist/nestjs/index.js', 'LICENSE', 'README.md', 'package.json']));
  expect(packedFiles.filter((f) => f.endsWith('.map') || f.startsWith('nest/') || f.startsWith('src/'))).toEqual([]);
  const expected = Object.fromEntries(
    ['linux-x64-gnu', 'linux-x64-musl', 'linux-arm64-gnu', 'linux-arm64-musl', 'darwin-x64', 'darwin-arm64', 'win32-x64-msvc'].map((k) => [`uzgate-${k}`, pkg.version]),
  );
  expect(pkg.optionalDependencies).toEqual(expected);
  for (const name of Object.keys(expected)) {
    const platformPkg = JSON.parse(fs.readFileSync(path.join(root, 'npm', name.slice('uzgate-'.length), 'package.json'), 'utf8'));
    expect({ name: platformPkg.name, version: platformPkg.version }).toEqual({ name, version: pkg.version });
  }
});

test('require("uzgate") without the platform package names the platform, the package, napi\'s cause and the fix', () => {
  const installed = fs.readdirSync(path.join(work, 'node_modules'));
  expect(installed.filter((n) => n.startsWith('uzgate'))).toEqual(['uzgate']);

  const run = spawnSync(process.execPath, ['-e', "try { require('uzgate') } catch (e) { console.log(JSON.stringify({ message: e.message, code: e.code, packageName: e.packageName, platform: e.platform })); process.exit(3) }"], {
    cwd: work,
    encoding: 'utf8',
  });
  expect(run.status).toBe(3);
  const err = JSON.parse(run.stdout);
  const key = platformKey(hostPlatform());
  expect(err.code).toBe('NATIVE_ADDON_MISSING');
  expect(err.platform).toBe(key);
  expect(err.packageName).toBe(`uzgate-${key}`);
  expect(err.message).toContain(`the native addon for ${key} could not be loaded`);
  expect(err.message).toContain(`The package uzgate-${key} carries it and is not installed`);
  const host = hostPlatform();
  const flags = `--os=${host.platform} --cpu=${host.arch}` + (host.libc ? ` --libc=${host.libc}` : '');
  expect(err.message).toContain(`npm install ${flags} uzgate`);
  // napi's own cause: where it looked
  expect(err.message).toContain(`napi's cause:`);
  expect(err.message).toContain(`Cannot find module 'uzgate-${key}'`);
});

test('on Alpine the message names the musl package and the musl install flags', () => {
  const cause = new Error('Cannot find native binding.');
  cause.cause = new Error("Cannot find module 'uzgate-linux-x64-musl'");
  const err = nativeLoadError(cause, { platform: 'linux', arch: 'x64', libc: 'musl' }) as Error & { code: string; packageName: string };
  expect(err.packageName).toBe('uzgate-linux-x64-musl');
  expect(err.message).toContain('The package uzgate-linux-x64-musl carries it and is not installed');
  expect(err.message).toContain('npm install --os=linux --cpu=x64 --libc=musl uzgate');
  expect(err.message).toContain("napi's cause: Cannot find native binding. <- Cannot find module 'uzgate-linux-x64-musl'");
  expect(err.cause).toBe(cause);
});

test('an unsupported platform is told so, with the supported list', () => {
  const err = nativeLoadError(new Error('Unsupported OS: freebsd, architecture: x64'), { platform: 'freebsd', arch: 'x64' });
  expect(err.message).toContain('uzgate publishes no addon for freebsd-x64 (there is no package uzgate-freebsd-x64)');
  expect(err.message).toContain('Supported platforms: linux x64 and arm64 (glibc 2.17+ or musl), macOS x64 and arm64, Windows x64');
  expect(err.message).not.toContain('npm install --os');
});
