#!/usr/bin/env node
/**
 * `npm run check:binary` (part of `npm test`): the addons that `npm run build` wrote for this
 * machine are the ones users get (the production addon of `uzgate`, the sandbox addon of the dev
 * package `uzgate-sandbox`), so check what users depend on:
 * - linux gnu: the highest GLIBC symbol version each needs is at most 2.17 (the floor the README
 *   promises: RHEL/CentOS 7, Debian 10, Ubuntu 18.04, Amazon Linux 2 and newer);
 * - each is stripped (no .symtab on ELF) and smaller than its size bound;
 * - the production addon carries none of the sandbox: no source path of uzgate-mock, axum or
 *   multer (a stripped binary keeps the paths of its panic locations), while the sandbox addon
 *   does, which shows the probe can see them. `npm run check:deps` checks the same from Cargo's
 *   side.
 * Prints the figures; exits 1 naming what is wrong.
 */
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { platformKey } = require('./platform-key');

const GLIBC_FLOOR = [2, 17];
/** Source paths only the sandbox's crates leave in a binary (panic locations, assertions). */
const SANDBOX_MARKERS = ['crates/mock/src/', '/axum-0.', '/multer-'];

/** Highest GLIBC_x.y version the ELF file's dynamic symbols require, as [major, minor]. */
function highestGlibc(file) {
  const out = execFileSync('readelf', ['--dyn-syms', '--wide', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  let max = null;
  for (const m of out.matchAll(/GLIBC_(\d+)\.(\d+)/g)) {
    const v = [Number(m[1]), Number(m[2])];
    if (!max || v[0] > max[0] || (v[0] === max[0] && v[1] > max[1])) max = v;
  }
  return max;
}

function hasSymtab(file) {
  const out = execFileSync('readelf', ['--section-headers', '--wide', file], { encoding: 'utf8' });
  return /\s\.symtab\s/.test(out);
}

const key = platformKey();
const root = path.resolve(__dirname, '..');
const ADDONS = [
  // stripped linux-x64 (zig, glibc 2.17): 12.5 MiB with the sandbox inside (0.2.0), 10.2 MiB without it,
  // 11.2 MiB with Redis over TLS and Redis Cluster, 12.7 MiB with Play Mobile, routing, breakers
  // shared through Redis and the OTP send windows; the sandbox addon alone: 6.3–6.7 MiB
  { file: path.join(root, `uzgate.${key}.node`), boundBytes: 14 * 1024 * 1024, sandbox: false },
  { file: path.join(root, 'packages', 'sandbox', `uzgate-sandbox.${key}.node`), boundBytes: 8 * 1024 * 1024, sandbox: true },
];

/** Which of the sandbox's source paths the binary contains. */
function sandboxMarkers(file) {
  const bytes = fs.readFileSync(file);
  return SANDBOX_MARKERS.filter((m) => bytes.includes(m));
}

let failed = false;
for (const addon of ADDONS) {
  const { file } = addon;
  const name = path.relative(root, file);
  if (!fs.existsSync(file)) {
    console.error(`check-binary: ${name} is missing: run npm run build first`);
    failed = true;
    continue;
  }
  const problems = [];
  const size = fs.statSync(file).size;
  const figures = [`${name}: ${(size / 1024 / 1024).toFixed(2)} MiB (bound ${addon.boundBytes / 1024 / 1024} MiB)`];
  if (size > addon.boundBytes) problems.push(`it is ${size} bytes, over the bound of ${addon.boundBytes}`);
  if (process.platform === 'linux') {
    if (hasSymtab(file)) problems.push('it is not stripped (.symtab present): check [profile.release] strip');
    figures.push('stripped: ' + (hasSymtab(file) ? 'no' : 'yes'));
  }
  if (key.endsWith('-gnu')) {
    const max = highestGlibc(file);
    const shown = max ? `${max[0]}.${max[1]}` : 'none';
    figures.push(`highest GLIBC symbol version: ${shown} (floor ${GLIBC_FLOOR.join('.')})`);
    if (max && (max[0] > GLIBC_FLOOR[0] || (max[0] === GLIBC_FLOOR[0] && max[1] > GLIBC_FLOOR[1]))) {
      problems.push(
        `it needs GLIBC_${shown}, above the ${GLIBC_FLOOR.join('.')} floor: build it with npm run build:native ` +
          '(zig links against the old glibc), not a plain cargo/napi build',
      );
    }
  }
  const markers = sandboxMarkers(file);
  if (addon.sandbox) {
    figures.push(`sandbox source paths: ${markers.length}/${SANDBOX_MARKERS.length}`);
    if (markers.length === 0) problems.push(`none of ${SANDBOX_MARKERS.join(', ')} found: the probe for the production addon sees nothing`);
  } else {
    figures.push(`sandbox source paths: ${markers.length ? markers.join(', ') : 'none'}`);
    if (markers.length) problems.push(`it carries the sandbox (${markers.join(', ')}): uzgate-mock belongs in uzgate-sandbox-node only`);
  }
  console.log(`check-binary: ${figures.join('; ')}`);
  for (const p of problems) console.error(`check-binary: ${name}: ${p}`);
  if (problems.length) failed = true;
}
process.exit(failed ? 1 : 0);
