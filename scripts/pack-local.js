#!/usr/bin/env node
/**
 * `npm run pack:local`: the packages a release would publish for this machine, as tarballs in
 * pack/ (git-ignored): the main package `uzgate` and the host's platform package
 * (`uzgate-linux-x64-gnu` here). How CI and a maintainer try a release before publishing:
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
const platformDir = path.join(root, 'npm', key);
if (!fs.existsSync(path.join(platformDir, 'package.json'))) {
  console.error(`pack:local: uzgate has no platform package for ${key} (npm/${key})`);
  process.exit(1);
}
if (!process.argv.includes('--no-build')) {
  execFileSync(npm, ['run', 'build'], { cwd: root, stdio: 'inherit', shell });
}
const binary = `uzgate.${key}.node`;
if (!fs.existsSync(path.join(root, binary))) {
  console.error(`pack:local: ${binary} is missing: run npm run build`);
  process.exit(1);
}
fs.copyFileSync(path.join(root, binary), path.join(platformDir, binary));

fs.rmSync(packDir, { recursive: true, force: true });
fs.mkdirSync(packDir, { recursive: true });
const packed = [pack(root), pack(platformDir)];

const main = packed[0];
if (main.files.some((f) => f.path.endsWith('.node'))) {
  console.error('pack:local: the main package must not carry a .node (it comes from the platform package)');
  process.exit(1);
}
if (!packed[1].files.some((f) => f.path === binary)) {
  console.error(`pack:local: ${packed[1].filename} lacks ${binary}`);
  process.exit(1);
}
for (const p of packed) {
  const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
  console.log(`pack/${p.filename}: ${kib(p.size)} packed, ${kib(p.unpackedSize)} unpacked, ${p.entryCount} files`);
}
