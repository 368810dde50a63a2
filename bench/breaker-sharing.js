/**
 * What sharing the circuit breakers through Redis costs a healthy routed send: the same routed
 * client (the console provider, so no HTTP is measured) with a memory token store and with a
 * Redis one, closed loop, one send at a time then 64 at a time; CPU per send of this process and
 * the Redis commands the run caused (INFO commandstats before and after).
 *
 *   scripts/with-redis.sh node bench/breaker-sharing.js [sends] [rounds]
 */
'use strict';

const net = require('node:net');
const path = require('node:path');
const { SmsClient } = require(path.resolve(__dirname, '..', 'dist'));

const SENDS = Number(process.argv[2] ?? 200000);
const ROUNDS = Number(process.argv[3] ?? 2);
const url = process.env.UZGATE_TEST_REDIS_URL;
if (!url) throw new Error('UZGATE_TEST_REDIS_URL is not set: run through scripts/with-redis.sh');

/** Redis's count of each command so far. */
function commandStats() {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const s = net.connect(Number(port), hostname, () => s.write('INFO commandstats\r\n'));
    let text = '';
    s.on('data', (d) => {
      text += d;
      if (text.includes('\r\n\r\n') || /cmdstat_[^\r]*\r\n$/.test(text)) {
        setTimeout(() => { s.end(); }, 50);
      }
    });
    s.on('end', () => {
      const calls = {};
      for (const m of text.matchAll(/cmdstat_(\w+):calls=(\d+)/g)) calls[m[1]] = Number(m[2]);
      resolve(calls);
    });
    s.on('error', reject);
  });
}

async function measure(name, store, concurrency) {
  const sms = new SmsClient({
    console: { outboxSize: 1 },
    routing: [{ to: 'UZ', via: ['console'] }],
    tokenStore: store,
    logLevel: 'error',
  });
  await sms.send({ to: '+998901234567', text: 'warm-up' });
  const before = await commandStats();
  const cpu = process.cpuUsage();
  const t = process.hrtime.bigint();
  let next = 0;
  const worker = async () => {
    while (next < SENDS) {
      next++;
      await sms.send({ to: '+998901234567', text: 'Kod: 123456' });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wallMs = Number(process.hrtime.bigint() - t) / 1e6;
  const used = process.cpuUsage(cpu);
  const after = await commandStats();
  const redis = Object.entries(after)
    .map(([k, v]) => [k, v - (before[k] ?? 0)])
    .filter(([k, v]) => v > 0 && k !== 'info');
  const status = sms.providerStatus()[0];
  await sms.close();
  const perSendUs = (used.user + used.system) / SENDS;
  console.log(
    `${name.padEnd(14)} c=${String(concurrency).padEnd(3)} ${perSendUs.toFixed(1)} µs CPU/send, ` +
      `${((SENDS / wallMs) * 1000).toFixed(0)} sends/s, redis commands: ${JSON.stringify(Object.fromEntries(redis))}, shared=${String(status.shared)}`,
  );
}

(async () => {
  for (const concurrency of [1, 64]) {
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which goes first: the machine's noise hits both alike.
      const both = [['memory store', { type: 'memory' }], ['redis store', { type: 'redis', url }]];
      for (const [name, store] of round % 2 ? both.reverse() : both) await measure(name, store, concurrency);
    }
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
