/**
 * CPU time and memory from Linux's /proc: of a process by pid (readable from outside it, so a
 * busy event loop or an exited-too-soon worker cannot skew it), and of the whole machine.
 * null elsewhere.
 */
'use strict';

const fs = require('node:fs');
const { spawnSync } = require('node:child_process');

// Clock ticks per second for /proc/<pid>/stat; 100 on every mainstream Linux build.
let clkTck = null;
function ticksPerSecond() {
  if (clkTck === null) {
    const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    clkTck = Number(r.stdout) > 0 ? Number(r.stdout) : 100;
  }
  return clkTck;
}

/** user + system CPU time the process has used so far, in µs (all of its threads). */
function cpuMicros(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1e6) / ticksPerSecond();
  } catch {
    return null;
  }
}

/**
 * Busy CPU time of the whole machine so far, in µs, all cores together (/proc/stat: user, nice,
 * system, irq, softirq, steal). Set against the benchmark's own processes it shows what else
 * ran during a measurement.
 */
function machineBusyMicros() {
  try {
    const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = fields;
    return ((user + nice + system + irq + softirq + (steal || 0)) * 1e6) / ticksPerSecond();
  } catch {
    return null;
  }
}

/**
 * CPU time of this process plus its children that have exited and been waited for (utime,
 * stime, cutime, cstime), in µs: every worker, wrk and amoCRM process of the run once it ended.
 */
function selfAndChildrenMicros() {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    return (ticks * 1e6) / ticksPerSecond();
  } catch {
    return null;
  }
}

/** Resident memory now (VmRSS) and its high-water mark since start (VmHWM), in MiB. */
function memory(pid = 'self') {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field) => {
      const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
      return m ? Number(m[1]) / 1024 : null;
    };
    return { rssMb: kb('VmRSS'), peakRssMb: kb('VmHWM') };
  } catch {
    return { rssMb: null, peakRssMb: null };
  }
}

/** Stops a child we started, by its pid: SIGTERM, then SIGKILL if it lingers past `graceMs`. */
async function stopChild(child, graceMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const signal = (name) => {
    try {
      process.kill(child.pid, name);
    } catch {
      /* already gone */
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

module.exports = { cpuMicros, memory, machineBusyMicros, selfAndChildrenMicros, stopChild };
