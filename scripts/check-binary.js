#!/usr/bin/env node
/**
 * `npm run check:binary` (part of `npm test`): the addon that `npm run build` wrote for this
 * machine is the one users get, so check what users depend on:
 * - linux gnu: the highest GLIBC symbol version it needs is at most 2.17 (the floor the README
 *   promises: RHEL/CentOS 7, Debian 10, Ubuntu 18.04, Amazon Linux 2 and newer);
 * - it is stripped (no .symtab on ELF) and smaller than SIZE_BOUND_BYTES.
 * Prints the figures; exits 1 naming what is wrong.
 */
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { platformKey } = require('./platform-key');

const GLIBC_FLOOR = [2, 17];
// the stripped linux-x64 addon measures 12.3 MiB (0.2.0); unstripped it was 16.4 MiB
const SIZE_BOUND_BYTES = 14 * 1024 * 1024;

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
const file = path.resolve(__dirname, '..', `uzgate.${key}.node`);
if (!fs.existsSync(file)) {
  console.error(`check-binary: ${path.basename(file)} is missing: run npm run build first`);
  process.exit(1);
}
const problems = [];
const size = fs.statSync(file).size;
const figures = [`${path.basename(file)}: ${(size / 1024 / 1024).toFixed(2)} MiB (bound ${SIZE_BOUND_BYTES / 1024 / 1024} MiB)`];
if (size > SIZE_BOUND_BYTES) problems.push(`it is ${size} bytes, over the bound of ${SIZE_BOUND_BYTES}`);
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
console.log(`check-binary: ${figures.join('; ')}`);
if (problems.length) {
  for (const p of problems) console.error(`check-binary: ${path.basename(file)}: ${p}`);
  process.exit(1);
}
