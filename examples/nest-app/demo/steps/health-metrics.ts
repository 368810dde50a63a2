/** What an operator sees: terminus health and the Prometheus counters of the token refreshes. */
import { json } from '../browser';
import { must, type DemoContext } from '../context';

interface HealthBody {
  status?: string;
  info?: Record<string, { status?: string; token?: string }>;
}

export async function healthAndMetrics(ctx: DemoContext): Promise<void> {
  ctx.report.section('4. Health and metrics');

  const health = await ctx.browser.get(`${ctx.appUrl}/health`);
  const body = (json(health) as HealthBody | undefined) ?? {};
  const parts = Object.entries(body.info ?? {}).map(([name, v]) => `${name} ${v.status} (token ${v.token})`);
  must(ctx, health.status === 200 && body.status === 'ok', `GET /health → ${health.status} ${body.status}: ${parts.join(', ')}`);

  const metrics = await ctx.browser.get(`${ctx.appUrl}/metrics`);
  const byProvider = new Map<string, string[]>();
  for (const [, provider, result, count] of metrics.text.matchAll(/^uzgate_token_refreshes_total\{provider="(\w+)",result="(\w+)"\} (\d+)$/gm)) {
    byProvider.set(provider, [...(byProvider.get(provider) ?? []), `${result} ${count}`]);
  }
  const summary = [...byProvider].map(([provider, results]) => `${provider} (${results.join(', ')})`).join('; ');
  must(ctx, metrics.status === 200 && byProvider.size === 2, `GET /metrics → uzgate_token_refreshes_total by result: ${summary}`);
}
