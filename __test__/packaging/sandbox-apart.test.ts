/**
 * The sandbox lives apart from the production addon: a process that only uses uzgate never loads
 * the sandbox's addon; without the dev dependency `uzgate-sandbox`, `startSandbox()` and
 * `uzgate sandbox` say what to install; `uzgate-sandbox` without its platform package says which
 * one is missing; and its tarball is shaped like the main one. Runs the built dist/ folders and
 * addons in child processes (npm test builds them first).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hostPlatform, platformKey } from '../../nest/native-load-error';

const root = path.resolve(__dirname, '..', '..');
const sandboxDir = path.join(root, 'packages', 'sandbox');
const key = platformKey(hostPlatform());
const PLATFORMS = ['linux-x64-gnu', 'linux-x64-musl', 'linux-arm64-gnu', 'linux-arm64-musl', 'darwin-x64', 'darwin-arm64', 'win32-x64-msvc'];
let work: string;

beforeAll(() => {
  for (const built of [path.join(root, 'dist', 'index.js'), path.join(sandboxDir, 'dist', 'index.js'), path.join(root, `uzgate.${key}.node`)]) {
    if (!fs.existsSync(built)) throw new Error(`${path.relative(root, built)} is missing: run npm run build first`);
  }
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'uzgate-apart-'));
});

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

function node(script: string, cwd: string) {
  return spawnSync(process.execPath, ['-e', script], { cwd, encoding: 'utf8', timeout: 30_000 });
}

/** node_modules/<name> holding the given files of a package folder (what npm would install). */
function install(app: string, name: string, from: string, files: string[]): void {
  const dest = path.join(app, 'node_modules', name);
  for (const f of files) fs.cpSync(path.join(from, f), path.join(dest, f), { recursive: true });
}

test('sending with uzgate loads no sandbox; startSandbox() loads it then, and only then', () => {
  const run = node(
    `
    const sandboxLoaded = () => ({
      addon: process.report.getReport().sharedObjects.some((f) => f.includes('uzgate-sandbox.')),
      js: Object.keys(require.cache).some((f) => /packages[\\\\/]sandbox[\\\\/]/.test(f)),
    });
    const uzgate = require('./dist/index.js');
    const sms = new uzgate.SmsClient({ provider: 'console' });
    sms.send({ to: '+998901234567', text: 'hello' }).then(async (sent) => {
      const before = sandboxLoaded();
      await sms.close();
      const sb = await uzgate.startSandbox();
      const after = sandboxLoaded();
      await sb.close();
      console.log(JSON.stringify({ provider: sent.provider, before, after }));
    });
    `,
    root,
  );
  expect(run.stderr).toBe('');
  expect(JSON.parse(run.stdout)).toEqual({ provider: 'console', before: { addon: false, js: false }, after: { addon: true, js: true } });
});

test('without uzgate-sandbox, startSandbox() rejects with SANDBOX_NOT_INSTALLED and `uzgate sandbox` says what to install', () => {
  const app = path.join(work, 'app-without-sandbox');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
  // uzgate as installed from npm with its platform package's addon beside napi's loader
  install(app, 'uzgate', root, ['package.json', 'index.js', 'dist', 'bin', `uzgate.${key}.node`]);

  const run = node(
    "require('uzgate').startSandbox().then(() => console.log('started'), (e) => console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message })))",
    app,
  );
  const err = JSON.parse(run.stdout);
  expect(err).toMatchObject({ name: 'UzgateError', code: 'SANDBOX_NOT_INSTALLED' });
  expect(err.message).toContain('npm install --save-dev uzgate-sandbox');

  const cli = spawnSync(process.execPath, [path.join(app, 'node_modules', 'uzgate', 'bin', 'uzgate.js'), 'sandbox'], { cwd: app, encoding: 'utf8', timeout: 30_000 });
  expect(cli.status).toBe(1);
  expect(cli.stdout).toBe('');
  expect(cli.stderr).toContain('uzgate: SANDBOX_NOT_INSTALLED: ');
  expect(cli.stderr).toContain('npm install --save-dev uzgate-sandbox');
});

test('uzgate-sandbox without its platform package names the platform package and the fix', () => {
  const app = path.join(work, 'app-without-sandbox-addon');
  fs.mkdirSync(app);
  install(app, 'uzgate-sandbox', sandboxDir, ['package.json', 'index.js', 'dist']);
  const run = node(
    "try { require('uzgate-sandbox') } catch (e) { console.log(JSON.stringify({ code: e.code, packageName: e.packageName, message: e.message })) }",
    app,
  );
  const err = JSON.parse(run.stdout);
  expect(err.code).toBe('NATIVE_ADDON_MISSING');
  expect(err.packageName).toBe(`uzgate-sandbox-${key}`);
  expect(err.message).toContain(`the sandbox addon for ${key} could not be loaded`);
  expect(err.message).toContain('npm install --save-dev uzgate-sandbox');
  expect(err.message).toContain(`Cannot find module 'uzgate-sandbox-${key}'`);
});

test('the uzgate-sandbox tarball carries loader, wrapper and types, no .node, and depends on its 7 platform packages at its own version', () => {
  const main = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const pkg = JSON.parse(fs.readFileSync(path.join(sandboxDir, 'package.json'), 'utf8'));
  expect({ name: pkg.name, version: pkg.version, license: pkg.license }).toEqual({ name: 'uzgate-sandbox', version: main.version, license: main.license });
  expect(pkg.napi).toEqual({ binaryName: 'uzgate-sandbox', targets: main.napi.targets });
  expect(main.peerDependencies['uzgate-sandbox']).toBe(main.version);
  expect(main.peerDependenciesMeta['uzgate-sandbox']).toEqual({ optional: true });

  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: sandboxDir, encoding: 'utf8' });
  const files: string[] = JSON.parse(out.slice(out.indexOf('[')))[0].files.map((f: { path: string }) => f.path);
  expect(files).toEqual(expect.arrayContaining(['index.js', 'index.d.ts', 'dist/index.js', 'dist/index.d.ts', 'LICENSE', 'README.md', 'package.json']));
  expect(files.filter((f) => f.endsWith('.node') || f.endsWith('.map') || f.startsWith('src/') || f.startsWith('npm/'))).toEqual([]);

  expect(pkg.optionalDependencies).toEqual(Object.fromEntries(PLATFORMS.map((k) => [`uzgate-sandbox-${k}`, main.version])));
  for (const k of PLATFORMS) {
    const platformPkg = JSON.parse(fs.readFileSync(path.join(sandboxDir, 'npm', k, 'package.json'), 'utf8'));
    const mainPlatformPkg = JSON.parse(fs.readFileSync(path.join(root, 'npm', k, 'package.json'), 'utf8'));
    expect(platformPkg).toMatchObject({ name: `uzgate-sandbox-${k}`, version: main.version, main: `uzgate-sandbox.${k}.node`, files: [`uzgate-sandbox.${k}.node`, 'LICENSE'] });
    // installed on exactly the machines the main package's addon is
    expect({ os: platformPkg.os, cpu: platformPkg.cpu, libc: platformPkg.libc }).toEqual({ os: mainPlatformPkg.os, cpu: mainPlatformPkg.cpu, libc: mainPlatformPkg.libc });
  }
});
