/**
 * One amoCRM process: a contender's client (bench/contenders/amocrm-*.js) in its own process,
 * sharing a token store with its siblings as replicas of one service do. Commands over IPC,
 * each answered with the same `id` and a `result` or an `error`:
 *
 *   { cmd: 'authorize', code }                        exchange a consent code into the store
 *   { cmd: 'run', count, lanes }                      `count` account() calls over `lanes`
 *   { cmd: 'paced', startAt, warmupMs, windowMs, lanes }
 *                                                     calls on `lanes` from `startAt` (epoch ms)
 *                                                     until the window closes; counts successes
 *                                                     that complete inside the window
 *   { cmd: 'status' }                                 the client's token status (uzgate only)
 *   { cmd: 'close' }                                  close the client, answer, exit
 */
'use strict';

const spec = JSON.parse(process.argv[2]);
// An orchestrator that died must not leave this process (and its connections) behind.
process.on('disconnect', () => process.exit(1));
const contender = require(`./contenders/${spec.contender}`);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function errorKind(e) {
  const status = e && e.response ? e.response.status : null;
  return (e && e.code && !/^ERR_BAD_(REQUEST|RESPONSE)$/.test(e.code) && e.code) || (status ? `HTTP_${status}` : 'ERROR');
}

function tally() {
  const t = { ok: 0, failed: 0, errors: {} };
  t.fail = (e) => {
    t.failed += 1;
    const kind = errorKind(e);
    t.errors[kind] = (t.errors[kind] || 0) + 1;
  };
  return t;
}

async function run(client, { count, lanes }) {
  const t = tally();
  let next = 0;
  async function lane() {
    while (next < count) {
      next += 1;
      try {
        await client.account();
        t.ok += 1;
      } catch (e) {
        t.fail(e);
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, lanes) }, lane));
  return { ok: t.ok, failed: t.failed, errors: t.errors };
}

async function paced(client, { startAt, warmupMs, windowMs, lanes }) {
  const t = tally();
  const opens = startAt + warmupMs;
  const closes = opens + windowMs;
  let okInWindow = 0;
  await sleep(Math.max(0, startAt - Date.now()));
  async function lane() {
    while (Date.now() < closes) {
      try {
        await client.account();
        t.ok += 1;
        const at = Date.now();
        if (at >= opens && at < closes) okInWindow += 1;
      } catch (e) {
        t.fail(e);
        // A refused call (a block) must not turn the lane into a busy loop.
        await sleep(100);
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, lanes) }, lane));
  return { ok: t.ok, okInWindow, failed: t.failed, errors: t.errors };
}

async function main() {
  const client = await contender.create(spec);
  const commands = {
    authorize: (m) => client.authorize(m.code).then(() => ({})),
    run: (m) => run(client, m),
    paced: (m) => paced(client, m),
    status: async () => ({ status: client.status ? client.status() : null }),
    close: async () => {
      await client.close();
      return {};
    },
  };
  process.on('message', async (m) => {
    let reply;
    try {
      reply = { id: m.id, result: await commands[m.cmd](m) };
    } catch (e) {
      reply = { id: m.id, error: String((e && e.stack) || e) };
    }
    process.send(reply, () => {
      if (m.cmd === 'close') process.exit(0);
    });
  });
  process.send({ id: 0, result: { ready: true } });
}

main().catch((e) => {
  process.send({ id: 0, error: String((e && e.stack) || e) }, () => process.exit(1));
});
