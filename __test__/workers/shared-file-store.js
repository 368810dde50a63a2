/**
 * A custom token store as a user might write one, shared by processes through one JSON file:
 * versioned records with compare-and-set saves and, optionally, a lease lock with an owner.
 * Every operation runs inside a short critical section guarded by an atomic `mkdir` (so the
 * store itself never loses a write); the lease lock is what the refresh protocol takes.
 */
'use strict';

const fs = require('node:fs');
const { randomUUID } = require('node:crypto');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs `fn(state)` with the file's state; its changes are written back before the mutex goes. */
async function exclusive(file, fn) {
  const mutex = `${file}.mutex`;
  for (;;) {
    try {
      fs.mkdirSync(mutex);
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      await sleep(2);
    }
  }
  try {
    const state = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : { records: {}, locks: {} };
    const out = fn(state);
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(state));
    fs.renameSync(`${file}.tmp`, file);
    return out;
  } finally {
    fs.rmdirSync(mutex);
  }
}

/** `{ load, save }`, plus `lock`/`unlock` when `withLock`. */
function sharedFileStore(file, withLock) {
  const store = {
    load: (key) => exclusive(file, (s) => s.records[key] ?? null),
    save: (key, expectedVersion, data) =>
      exclusive(file, (s) => {
        if ((s.records[key]?.version ?? 0) !== expectedVersion) return false;
        s.records[key] = { version: expectedVersion + 1, data };
        return true;
      }),
  };
  if (!withLock) return store;
  return {
    ...store,
    lock: (key, leaseMs) =>
      exclusive(file, (s) => {
        const held = s.locks[key];
        if (held && held.until > Date.now()) return null;
        const owner = randomUUID();
        s.locks[key] = { owner, until: Date.now() + leaseMs };
        return owner;
      }),
    unlock: (key, owner) =>
      exclusive(file, (s) => {
        if (s.locks[key]?.owner === owner) delete s.locks[key];
      }),
  };
}

module.exports = { sharedFileStore };
