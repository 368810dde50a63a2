#!/usr/bin/env node
/**
 * `npm run demo`: runs the demo of the example Nest app, compiled from
 * examples/nest-app/demo/ by `npm run build:example`. See examples/nest-app/demo/main.ts.
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const demo = path.join(__dirname, '..', 'examples', 'nest-app', 'dist', 'demo', 'main.js');
if (!fs.existsSync(demo)) {
  console.error('demo FAILED: the example app is not built; run `npm run build && npm run build:example` (or `npm run demo`, which does both)');
  process.exit(1);
}
require(demo);
