/**
 * Routing: what a routed client costs on the healthy path (every send through its route's first
 * provider) against a single-provider client, closed loop, both measured in this run; and how
 * long a send takes to fail over when the first provider refuses the connection, against the
 * same send straight to the second provider.
 */
'use strict';

const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { sweep } = require('./throughput');
const account = require('../contenders/account');

// A loopback port nothing listens on: connections are refused at once.
const REFUSED = 'http://127.0.0.1:9';
const DIRECT_SENDS = 200;
// The first send and these stay under the breaker's 100 failures, so every one meets the refusal.
const ROUTED_SENDS = 90;

/** Latencies (ms) of `n` sequential sends of `client`, and their median. */
async function sequential(client, n) {
  const ms = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await client.send({ to: account.to, text: account.text });
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { sends: n, p50Ms: ms[Math.floor(n / 2)], p90Ms: ms[Math.floor(n * 0.9)] };
}

/**
 * Play Mobile refusing connections (it has no token, so every send really dials it), Twilio
 * behind it, the breaker never opening (so each send meets the refused connection): the median
 * send against Twilio alone. Measured in this process, one send at a time, after the usual
 * warm-up send of each client.
 */
async function failover(sandbox) {
  const { SmsClient } = require(path.resolve(__dirname, '..', '..', 'dist'));
  const creds = await sandbox.twilioAccount();
  const twilio = { accountSid: creds.accountSid, authToken: creds.authToken, from: creds.numbers[0], baseUrl: sandbox.url };
  const direct = new SmsClient({ provider: 'twilio', twilio });
  const routed = new SmsClient({
    playmobile: { login: 'bench', password: 'bench-password', originator: '3700', baseUrl: REFUSED },
    twilio,
    routing: [{ to: '*', via: ['playmobile', 'twilio'] }],
    breaker: { failures: 100, coolDownMs: 1000 },
  });
  try {
    await direct.send({ to: account.to, text: account.text });
    const first = await routed.send({ to: account.to, text: account.text });
    if (first.provider !== 'twilio') throw new Error(`failover sent through ${first.provider}`);
    const d = await sequential(direct, DIRECT_SENDS);
    const r = await sequential(routed, ROUTED_SENDS);
    return { refusedUrl: REFUSED, direct: d, routed: r, addedMs: r.p50Ms - d.p50Ms };
  } finally {
    await direct.close();
    await routed.close();
  }
}

/** CPU (µs) per send of `client` over `n` sequential sends, measured with process.cpuUsage. */
async function cpuPerSend(client, n) {
  const before = process.cpuUsage();
  for (let i = 0; i < n; i++) await client.send({ to: account.to, text: account.text });
  const used = process.cpuUsage(before);
  return (used.user + used.system) / n;
}

const OVERHEAD_SENDS = 20_000;
const OVERHEAD_ROUNDS = 9;

/**
 * Routing's own CPU per send, without the noise of a network: the console provider (it keeps the
 * message in memory) alone, and the same provider behind a route with a breaker, taking turns in
 * this process. The difference is what choosing the route, the breaker and the attempts cost.
 */
async function overhead() {
  const { SmsClient } = require(path.resolve(__dirname, '..', '..', 'dist'));
  const single = new SmsClient({ provider: 'console', console: { outboxSize: 10 } });
  const routed = new SmsClient({ console: { outboxSize: 10 }, routing: [{ to: '*', via: ['console'] }] });
  try {
    await cpuPerSend(single, 2000);
    await cpuPerSend(routed, 2000);
    const singleUs = [];
    const routedUs = [];
    // Each round swaps who goes first, so a drift of the machine's speed falls on both.
    for (let r = 0; r < OVERHEAD_ROUNDS; r++) {
      if (r % 2 === 0) {
        singleUs.push(await cpuPerSend(single, OVERHEAD_SENDS));
        routedUs.push(await cpuPerSend(routed, OVERHEAD_SENDS));
      } else {
        routedUs.push(await cpuPerSend(routed, OVERHEAD_SENDS));
        singleUs.push(await cpuPerSend(single, OVERHEAD_SENDS));
      }
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    return { sends: OVERHEAD_SENDS * OVERHEAD_ROUNDS, singleUs: median(singleUs), routedUs: median(routedUs), addedUs: median(routedUs) - median(singleUs) };
  } finally {
    await single.close();
    await routed.close();
  }
}

async function run(ctx) {
  const account = await ctx.sandbox.twilioAccount();
  const runs = await sweep(ctx, 'eskiz', ['uzgate', 'uzgate-routed'], { twilio: account });
  const fo = await failover(ctx.sandbox);
  const cost = await overhead();
  console.log(`routing's own CPU per send (console provider): ${cost.routedUs.toFixed(2)} µs routed vs ${cost.singleUs.toFixed(2)} µs alone (+${cost.addedUs.toFixed(2)} µs)`);
  console.log(`failover on a refused connection: p50 ${fo.routed.p50Ms.toFixed(2)} ms vs ${fo.direct.p50Ms.toFixed(2)} ms straight to Twilio (+${fo.addedMs.toFixed(2)} ms)`);
  return { runs, failover: fo, overhead: cost };
}

module.exports = { run, failover, overhead };
