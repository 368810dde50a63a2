/**
 * Watches how many sends a latency fault is holding at the sandbox, after a burst was fired.
 * An uncapped client puts the whole burst on the wire; one that caps its connections (uzgate
 * keeps at most N requests in flight and queues the rest inside the process) stops at its cap.
 * Either way the burst is as "in flight" as that client lets it be once the count stops
 * growing: resolve then, so the scenario can sample the client and lift the fault before the
 * queued rest would wait out a hold meant for the first wave.
 */
'use strict';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// No new held send for this long means the client put all it will on the wire. An uncapped
// client opening 10 000 connections can stall for over a second (undici does), so not shorter.
const PLATEAU_MS = 2000;

/**
 * Resolves { held, afterMs, all } when the sandbox holds `n` sends, when the held count has not
 * grown for PLATEAU_MS, or at `deadline` (epoch ms), whichever comes first. `onPoll` runs before
 * each look (sampling the client's memory, for one).
 */
async function whenHeld(sandbox, n, { deadline, onPoll = () => {} }) {
  const t0 = Date.now();
  let last = -1;
  let lastChange = t0;
  for (;;) {
    onPoll();
    const held = (await sandbox.stats()).faultsInjected;
    const now = Date.now();
    if (held !== last) {
      last = held;
      lastChange = now;
    }
    if (held >= n || (held > 0 && now - lastChange >= PLATEAU_MS) || now >= deadline) {
      return { held, afterMs: now - t0, all: held >= n };
    }
    await sleep(50);
  }
}

module.exports = { whenHeld };
