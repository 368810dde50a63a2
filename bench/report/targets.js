/**
 * The targets, each with the value measured in this run and met / missed. A target
 * whose inputs were not measured (scenario skipped or left out) is listed as not measured.
 */
'use strict';

const { fmt, ratio, x, table } = require('./format');
const { refreshRequests } = require('./eskiz');

const AT = 256;
const TARGETS = {
  rpsVsAxios: 2,
  rpsVsFetch: 1,
  rpsVsTwilioSdk: 2,
  rpsVsWrk: 0.8,
  cpuVsFetch: 0.3,
  cpuVsTwilioSdk: 0.4,
  rssVsAxios: 0.5,
  efficiency: 0.97,
};

const verdict = (ok) => (ok === null ? 'not measured' : ok ? 'met' : '**missed**');

function targets(results) {
  const rows = [];
  const ran = new Set(results.settings.scenarios);
  // A target belongs to the scenarios it needs; one whose scenarios were left out of this run is
  // not listed, one whose scenario ran but could not measure it (a tool missing) says so.
  let needs = [];
  const add = (what, wanted, value, ok) => {
    if (needs.every((s) => ran.has(s))) rows.push([what, wanted, value, verdict(ok)]);
  };
  const at = (runs, name) => (runs || []).find((r) => r.contender === name && r.concurrency === AT);
  const u = at(results.throughput, 'uzgate');
  const ut = at(results.twilio, 'uzgate-twilio');

  const ge = (what, a, b, field, target) => {
    const r = a && b ? ratio(a[field], b[field]) : null;
    add(what, `≥ ${target}×`, x(r), r === null ? null : r >= target);
  };
  const le = (what, a, b, field, target) => {
    const r = a && b ? ratio(a[field], b[field]) : null;
    add(what, `≤ ${target}×`, x(r), r === null ? null : r <= target);
  };
  needs = ['throughput'];
  ge(`Eskiz req/s at c=${AT}: uzgate ÷ axios pattern`, u, at(results.throughput, 'axios'), 'rps', TARGETS.rpsVsAxios);
  ge(`Eskiz req/s at c=${AT}: uzgate ÷ undici fetch`, u, at(results.throughput, 'fetch'), 'rps', TARGETS.rpsVsFetch);
  needs = ['twilio'];
  ge(`Twilio req/s at c=${AT}: uzgate ÷ twilio SDK`, ut, at(results.twilio, 'twilio-sdk'), 'rps', TARGETS.rpsVsTwilioSdk);
  needs = ['throughput', 'wrk'];
  ge(`Eskiz req/s at c=${AT}: uzgate ÷ wrk`, u, at(results.wrk && results.wrk.runs, 'wrk'), 'rps', TARGETS.rpsVsWrk);
  needs = ['throughput'];
  le(`client CPU/request at c=${AT}: uzgate ÷ fetch`, u, at(results.throughput, 'fetch'), 'cpuPerReqUs', TARGETS.cpuVsFetch);
  needs = ['twilio'];
  le(`client CPU/request at c=${AT}: uzgate ÷ twilio SDK`, ut, at(results.twilio, 'twilio-sdk'), 'cpuPerReqUs', TARGETS.cpuVsTwilioSdk);

  needs = ['storm'];
  const storm = (results.storm || []).find((r) => r.contender === 'uzgate');
  if (storm) {
    const n = refreshRequests(storm.sandbox.eskiz);
    add(`Eskiz storm (${fmt(storm.sends)} sends): refresh requests`, '= 1', fmt(n), n === 1);
  } else add('Eskiz storm: refresh requests', '= 1', '—', null);

  needs = ['rss'];
  const rssOf = (name) => (results.rss || []).find((r) => r.contender === name);
  const ur = rssOf('uzgate');
  const ar = rssOf('axios');
  const rr = ur && ar ? ratio(ur.memory.peakMb, ar.memory.peakMb) : null;
  add(`peak RSS with ${fmt(ur ? ur.sends : results.settings.rssSize)} sends outstanding: uzgate ÷ axios pattern`, `≤ ${TARGETS.rssVsAxios}×`, x(rr), rr === null ? null : rr <= TARGETS.rssVsAxios);

  needs = ['amocrm-refresh'];
  const amo = results.amocrmRefresh;
  for (const r of (amo && amo.runs) || []) {
    if (r.contender !== 'amocrm-uzgate') continue;
    const s = r.sandbox;
    const n = refreshRequests(s);
    add(
      `amoCRM ${amo.processes} processes × ${amo.expiries} expiries, ${r.name}: refresh requests, revoked reuses, failed calls, alive`,
      `${amo.expiries}, 0, 0, yes`,
      `${fmt(n)}, ${fmt(s.revokedReuses)}, ${fmt(r.failed)}, ${r.alive ? 'yes' : 'no'}`,
      n === amo.expiries && s.revokedReuses === 0 && r.failed === 0 && r.alive,
    );
  }
  needs = ['amocrm-ratelimit'];
  for (const r of (results.amocrmRateLimit && results.amocrmRateLimit.runs) || []) {
    if (r.name !== 'uzgate') continue;
    if (r.skipped) {
      add(`amoCRM rate limit, ${r.processes} processes: efficiency, 429s`, `≥ ${TARGETS.efficiency}, 0`, 'skipped', null);
      continue;
    }
    add(
      `amoCRM rate limit, ${r.processes} process${r.processes > 1 ? 'es (shared through Redis)' : ''}: efficiency, 429s`,
      `≥ ${TARGETS.efficiency}, 0`,
      `${fmt(r.efficiency, 3)}, ${fmt(r.rateLimited)}`,
      r.efficiency >= TARGETS.efficiency && r.rateLimited === 0,
    );
  }
  return rows.length ? ['## Targets', '', table(['target', 'wanted', 'measured', ''], rows), ''] : [];
}

module.exports = { targets, TARGETS };
