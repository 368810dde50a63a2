#!/usr/bin/env node
/**
 * `npm run pack:local`: the packages a release would publish for this machine, as tarballs in
 * pack/ (git-ignored): the main package `uzgate` and the host's platform package
 * (`uzgate-linux-x64-gnu` here), then the dev package `uzgate-sandbox` and its platform package
 * (`uzgate-sandbox-linux-x64-gnu`). How CI and a maintainer try a release before publishing:
 * scripts/consumer-e2e.sh installs an app from exactly these files.
 *
 * Builds first (`npm run build`: the shipped, stripped addon and dist/), so an unbuilt clone
 * never packs a platform package without its `.node`; `--no-build` reuses what `npm test` just
 * built. Prints each tarball's size and file count.
 */
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { platformKey } = require('./platform-key');

const root = path.resolve(__dirname, '..');
const packDir = path.join(root, 'pack');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const shell = process.platform === 'win32';

function pack(dir) {
  const out = execFileSync(npm, ['pack', '--json', '--pack-destination', packDir], {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    shell,
  });
  // prepack scripts may print before the JSON
  const [info] = JSON.parse(out.slice(out.indexOf('[')));
  return info;
}

const key = platformKey();
/** Each package with its addon: the folder it is packed from, its platform package, its binary. */
const PACKAGES = [
  { dir: root, binary: `uzgate.${key}.node`, platformDir: path.join(root, 'npm', key) },
  {
    dir: path.join(root, 'packages', 'sandbox'),
    binary: `uzgate-sandbox.${key}.node`,
    platformDir: path.join(root, 'packages', 'sandbox', 'npm', key),
  },
];
for (const p of PACKAGES) {
  if (!fs.existsSync(path.join(p.platformDir, 'package.json'))) {
    console.error(`pack:local: there is no platform package for ${key} (${path.relative(root, p.platformDir)})`);
    process.exit(1);
  }
}
if (!process.argv.includes('--no-build')) {
  execFileSync(npm, ['run', 'build'], { cwd: root, stdio: 'inherit', shell });
}
for (const p of PACKAGES) {
  if (!fs.existsSync(path.join(p.dir, p.binary))) {
    console.error(`pack:local: ${path.relative(root, path.join(p.dir, p.binary))} is missing: run npm run build`);
    process.exit(1);
  }
  fs.copyFileSync(path.join(p.dir, p.binary), path.join(p.platformDir, p.binary));
}

fs.rmSync(packDir, { recursive: true, force: true });
fs.mkdirSync(packDir, { recursive: true });
const packed = [];
for (const p of PACKAGES) {
  const main = pack(p.dir);
  const platform = pack(p.platformDir);
  if (main.files.some((f) => f.path.endsWith('.node'))) {
    console.error(`pack:local: ${main.filename} must not carry a .node (it comes from the platform package)`);
    process.exit(1);
  }
  if (!platform.files.some((f) => f.path === p.binary)) {
    console.error(`pack:local: ${platform.filename} lacks ${p.binary}`);
    process.exit(1);
  }
  packed.push(main, platform);
}
for (const p of packed) {
  const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
  console.log(`pack/${p.filename}: ${kib(p.size)} packed, ${kib(p.unpackedSize)} unpacked, ${p.entryCount} files`);
}
