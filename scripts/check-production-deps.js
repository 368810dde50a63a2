#!/usr/bin/env node
/**
 * `npm run check:deps` (part of `npm run lint`): the production addon (crate uzgate-node) must
 * not link the sandbox gateway. The sandbox is its own addon (uzgate-sandbox); a dependency of
 * uzgate-node on uzgate-mock, or on anything only a server needs, would put an HTTP server back
 * into every process that only sends SMS. Reads `cargo tree` of uzgate-node's normal
 * dependencies with their features (offline, from Cargo.lock); exits 1 naming what crept in.
 */
'use strict';

const { execFileSync } = require('node:child_process');
const path = require('node:path');

/** Crates that only the sandbox's server needs. */
const SERVER_CRATES = ['uzgate-mock', 'axum', 'axum-core', 'multer', 'matchit'];
/** Features that only a server (or the sandbox's Ctrl+C) needs: `crate feature`. */
const SERVER_FEATURES = [
  ['hyper', 'server'],
  ['tokio', 'signal'],
];

const root = path.resolve(__dirname, '..');
const tree = execFileSync('cargo', ['tree', '--offline', '-e', 'normal,features', '-p', 'uzgate-node', '--prefix', 'none'], {
  cwd: root,
  encoding: 'utf8',
  maxBuffer: 64 << 20,
});
const lines = new Set(tree.split('\n').map((l) => l.replace(/ \(\*\)$/, '').trim()));
const problems = [];
const crates = new Set([...lines].filter((l) => !l.includes(' feature ')).map((l) => l.split(' ')[0]));
for (const name of SERVER_CRATES) if (crates.has(name)) problems.push(`the crate ${name}`);
for (const [name, feature] of SERVER_FEATURES) {
  if (lines.has(`${name} feature "${feature}"`)) problems.push(`${name}'s feature "${feature}"`);
}
if (!crates.has('tokio') || !crates.has('hyper')) {
  // the names above would then be read from an output this script does not understand
  console.error('check-deps: cargo tree of uzgate-node lists no tokio/hyper: its output format changed?');
  process.exit(1);
}
if (problems.length) {
  for (const p of problems) console.error(`check-deps: the production addon (uzgate-node) depends on ${p}: the sandbox belongs in uzgate-sandbox-node`);
  process.exit(1);
}
console.log(`check-deps: uzgate-node has ${crates.size} crates, none of them the sandbox's (${SERVER_CRATES.join(', ')}, hyper "server", tokio "signal")`);
