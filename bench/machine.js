/**
 * What the numbers were measured on: results from a 2-core VM and a workstation are not
 * comparable, so every result file carries this.
 */
'use strict';

const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..');

function git(args) {
  const r = spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trimEnd() : null;
}

function version(pkg) {
  try {
    return require(`${pkg}/package.json`).version;
  } catch {
    return null;
  }
}

/** Whether a cargo build is running on this machine: it would steal CPU from the run. */
function buildRunning() {
  for (const name of ['cargo', 'rustc']) {
    const r = spawnSync('pgrep', ['-x', name], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return true;
  }
  return false;
}

function describe() {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    cpuModel: cpus.length ? cpus[0].model.trim() : 'unknown',
    cores: cpus.length,
    memoryGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    undici: process.versions.undici || null,
    axios: version('axios'),
    twilio: version('twilio'),
    uzgate: version(ROOT),
    commit: git(['rev-parse', '--short', 'HEAD']),
    // Uncommitted changes outside bench/: the numbers may not be the commit's.
    uncommitted: (git(['status', '--porcelain', '--', '.', ':(exclude)bench']) || '')
      .split('\n')
      .filter(Boolean)
      .map((l) => l.slice(3)),
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

module.exports = { describe, buildRunning };
