/**
 * Turns a run's results into one markdown report: the machine, the contenders, the issue's
 * targets, then one section per scenario with ratios against the baselines measured in the
 * same run (never against numbers from another machine or day).
 */
'use strict';

const eskiz = require('./eskiz');
const amocrm = require('./amocrm');
const { targets } = require('./targets');
const { OTHER_CORES_LIMIT } = require('../measure');

function header(results) {
  const m = results.machine;
  const s = results.settings;
  const title = `# uzgate benchmark — ${m.date.slice(0, 10)}${s.label === 'quick' ? ' (quick smoke run)' : s.label === 'custom' ? ' (partial run)' : ''}`;
  const tools = [
    `Node ${m.node} (undici ${m.undici})`,
    `axios ${m.axios}`,
    `twilio ${m.twilio}`,
    results.redis && results.redis.url ? `redis-server ${results.redis.version}` : null,
    results.wrk && results.wrk.version ? `wrk ${results.wrk.version}` : null,
  ].filter(Boolean);
  return [
    title,
    '',
    `**Machine:** ${m.cpuModel}, ${m.cores} cores, ${m.memoryGb} GB · ${m.os} · load average at start ${m.loadAverage.join(' / ')}`,
    '',
    `**Software:** uzgate ${m.uzgate} @ ${m.commit}${m.uncommitted.length ? ` (+ uncommitted: ${m.uncommitted.join(', ')})` : ''} · ${tools.join(' · ')}`,
    '',
    `Sandbox: \`target/release/uzgate-sandbox\` in its own process on 127.0.0.1, sharing the machine's ` +
      `cores with the client under test (one contender at a time). Each contender × scenario runs in fresh ` +
      `child processes; client CPU is \`process.cpuUsage()\` (all threads, so the addon's Rust threads count) ` +
      `over the measured window. Throughput: ${s.warmupS} s warm-up, ${s.durationS} s measured per row.` +
      ` *Other load*: CPU that processes outside the benchmark used during a row (machine busy time ` +
      `from \`/proc/stat\` less the benchmark's own processes), in cores; a row with a cargo build or more than ` +
      `${OTHER_CORES_LIMIT} cores of other load is measured again (up to 3 times).` +
      (results.noisy ? ' **⚠ marks rows that stayed noisy: their numbers are less reliable.**' : ''),
    '',
    'Contenders:',
    '',
    ...Object.entries(results.contenders).map(([k, v]) => `- **${k}**: ${v}`),
    ...(results.twilio ? [...new Set(results.twilio.map((r) => r.contender))].map((c) => `- **${c}**: ${results.twilio.find((r) => r.contender === c).description}`) : []),
    ...amoContenders(results),
    '',
  ];
}

/** Each amoCRM set-up once, by the scenario that used it. */
function amoContenders(results) {
  const seen = new Map();
  const note = (scenario, r) => {
    if (r.description && !seen.has(r.description)) seen.set(r.description, `- amoCRM ${scenario} **${r.name}**${r.processes ? ` (${r.processes} process${r.processes > 1 ? 'es' : ''})` : ''}: ${r.description}`);
  };
  for (const r of (results.amocrmRefresh && results.amocrmRefresh.runs) || []) note('refresh', r);
  for (const r of (results.amocrmRateLimit && results.amocrmRateLimit.runs) || []) note('rate limit', r);
  return [...seen.values()];
}

function problems(results) {
  if (!results.problems || !results.problems.length) return [];
  return ['## Broken', '', ...results.problems.map((p) => `- ${p}`), ''];
}

function markdown(results) {
  const s = results.settings;
  return [
    ...header(results),
    ...problems(results),
    ...targets(results),
    ...amocrm.refresh(results.amocrmRefresh),
    ...amocrm.rateLimit(results.amocrmRateLimit),
    ...eskiz.throughput(results.throughput, results.wrk),
    ...eskiz.twilio(results.twilio),
    ...eskiz.routing(results.routing),
    ...eskiz.storm(results.storm, s),
    ...eskiz.rss(results.rss, s),
  ].join('\n');
}

module.exports = { markdown };
