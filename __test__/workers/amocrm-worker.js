/**
 * A separate process with its own AmoCrmClient sharing a token store with its siblings.
 * argv[2]: JSON options for AmoCrmClient (`sharedFileStore` builds a custom store, see
 * shared-file-store.js). Commands over IPC:
 *   { cmd: 'run', count, concurrency, op }  → { ok, done, errors: [code…] }
 *   { cmd: 'status' }                        → { ok, status }
 *   { cmd: 'close' }                         → closes the client and exits
 */
'use strict';

const { AmoCrmClient } = require('../../dist');

const { sharedFileStore } = require('./shared-file-store');

const options = JSON.parse(process.argv[2]);
// `sharedFileStore: { file, lock }`: a custom store (JS callbacks) shared through one file.
if (options.sharedFileStore) {
  const { file, lock, ...common } = options.sharedFileStore;
  options.tokenStore = { type: 'custom', ...common, store: sharedFileStore(file, lock) };
  delete options.sharedFileStore;
}
const client = new AmoCrmClient(options);

const ops = {
  account: () => client.account(),
  list: () => client.listLeads({ limit: 5 }),
};

/** `count` calls, or as many as fit in `durationMs`, over `concurrency` lanes. */
async function run({ count = Infinity, durationMs, concurrency, op = 'account' }) {
  const errors = [];
  const until = durationMs ? Date.now() + durationMs : Infinity;
  let next = 0;
  let done = 0;
  async function lane() {
    while (next < count && Date.now() < until) {
      next += 1;
      try {
        await ops[op]();
        done += 1;
      } catch (e) {
        errors.push(e.code || String(e));
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, lane));
  return { done, errors };
}

process.on('message', async (msg) => {
  try {
    if (msg.cmd === 'run') {
      process.send({ ok: true, ...(await run(msg)) });
    } else if (msg.cmd === 'status') {
      process.send({ ok: true, status: client.tokenStatus() });
    } else if (msg.cmd === 'close') {
      await client.close();
      process.send({ ok: true }, () => process.exit(0));
    }
  } catch (e) {
    process.send({ ok: false, error: String(e && e.stack ? e.stack : e) });
  }
});

process.send({ ok: true, ready: true });
