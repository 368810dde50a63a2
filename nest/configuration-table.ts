/**
 * The configuration views as a readable table for a terminal (`uzgate config`). Prints only
 * what the views hold, so it is as masked as they are.
 */
import type { ConfigurationView } from './configuration-view';

const yesNo = (b: boolean): string => (b ? 'yes' : 'no');

function row(label: string, value: string): string {
  return `  ${label.padEnd(13)}${value}`;
}

function section(view: ConfigurationView): string[] {
  const lines = [`${view.client} · ${view.provider}`];
  for (const h of view.hosts) lines.push(row(h === view.hosts[0] ? 'hosts' : '', `${h.role.padEnd(16)}${h.url}`));
  if (view.account) {
    const a = view.account;
    const where = a.subdomain ? ` (${a.subdomain}.${a.domain})` : a.allowAnyAccount ? ` (any *.${a.domain})` : '';
    lines.push(row('account', `${a.policy}${where}`));
  }
  view.credentials.forEach((c, i) => {
    lines.push(row(i === 0 ? 'credentials' : '', `${c.name.padEnd(28)}${c.state}${c.shown ? `  ${c.shown}` : ''}`));
  });
  const s = view.tokenStore;
  if (s) {
    lines.push(row('token store', `${s.type}, survives restart: ${yesNo(s.survivesRestart)}, shared: ${yesNo(s.shared)}, sealed: ${yesNo(s.sealed)}`));
    lines.push(row('', `key ${s.key}`));
    if (s.path) lines.push(row('', `path ${s.path}`));
    if (s.url) lines.push(row('', `url ${s.url}`));
    if (s.tlsCaFile) lines.push(row('', `tlsCaFile ${s.tlsCaFile}`));
    lines.push(row('', `lock lease ${s.lockLeaseMs} ms, wait ${s.lockWaitMs} ms, refresh ≤ ${s.refreshTimeoutMs} ms, store call ≤ ${s.callTimeoutMs} ms`));
  }
  const l = view.limits;
  if (l) {
    lines.push(row('limits', `timeout ${l.timeoutMs} ms, connect ${l.connectTimeoutMs} ms, concurrency ${l.maxConcurrency}, response ≤ ${l.maxResponseBytes} B, refresh margin ${l.refreshMarginMs} ms`));
    if (l.rateLimitPerSecond !== undefined) {
      const keepAlive = l.keepAliveMs === undefined ? 'off' : `${l.keepAliveMs} ms`;
      lines.push(row('', `rate ${l.rateLimitPerSecond}/s (shared: ${yesNo(l.sharedRateLimit ?? false)}), keep-alive ${keepAlive}, block cooldown ${l.blockCooldownMs} ms`));
    }
    if (l.balancePollMs !== undefined) lines.push(row('', `balance polled every ${l.balancePollMs} ms`));
  }
  const a = view.alerts;
  if (a) {
    a.sinks.forEach((sink, i) => lines.push(row(i === 0 ? 'alerts' : '', `${sink.kind} → ${sink.target}`)));
    if (a.repeatAfterMs !== undefined) {
      const refreshes = a.refreshFailures === undefined ? '' : `, after ${a.refreshFailures} failed refreshes in a row`;
      lines.push(row('', `reminder every ${a.repeatAfterMs} ms${refreshes}`));
    }
    if (a.deliveryFailures !== undefined) lines.push(row('', `delivery failures: ${a.deliveryFailures}`));
    if (a.otpAbuse !== undefined) lines.push(row('', `OTP abuse: ${a.otpAbuse}`));
    if (a.providerDown !== undefined) lines.push(row('', `provider down: ${a.providerDown ? 'on' : 'off'}`));
  }
  const o = view.otp;
  if (o) {
    lines.push(row('codes', `${o.length} digits, ttl ${o.ttlSeconds} s, ${o.maxAttempts} attempts, cooldown ${o.resendCooldownSeconds} s, ${o.maxSendsPerHour} sends/hour, dev mode: ${yesNo(o.devMode)}`));
    lines.push(row('store', `${o.store}, shared: ${yesNo(o.shared)}, prefix ${o.prefix}${o.url ? `, url ${o.url}` : ''}`));
    if (o.allowedRegions) lines.push(row('regions', o.allowedRegions.join(', ')));
    const budget = [
      o.budgetPerHour === undefined ? '' : `${o.budgetPerHour}/hour in all`,
      ...Object.entries(o.budgetPerRegion ?? {}).map(([region, n]) => `${n}/hour to ${region}`),
    ].filter((part) => part !== '');
    lines.push(row('budget', budget.length === 0 ? 'none' : budget.join(', ')));
    const prefix = o.prefixLimit ? `${o.prefixLimit.perHour}/hour per block of ${10 ** o.prefixLimit.ignoreLastDigits} numbers` : 'off';
    const ip = o.clientIpPerHour === undefined ? 'off' : `${o.clientIpPerHour}/hour`;
    lines.push(row('velocity', `prefix ${prefix}, client IP ${ip}`));
  }
  if (view.findings.length === 0) lines.push(row('findings', 'none'));
  view.findings.forEach((f, i) => {
    lines.push(row(i === 0 ? 'findings' : '', `${f.level.padEnd(8)}${f.option}: ${f.consequence}`));
  });
  return lines;
}

/** The views one after another, a blank line between clients. */
export function formatConfiguration(views: ConfigurationView[]): string {
  if (views.length === 0) return 'No uzgate client is configured in this environment.\n';
  return views.map((v) => section(v).join('\n')).join('\n\n') + '\n';
}
