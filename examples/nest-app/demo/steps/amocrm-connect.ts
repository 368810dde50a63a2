/**
 * amoCRM: a lead is refused until the integration is connected; the "Connect amoCRM" button's
 * OAuth round trip (authorize → consent → callback, with the state cookie); then a lead.
 */
import { brief, must, post, type DemoContext } from '../context';

export const LEAD = {
  name: 'Dilnoza Karimova',
  phone: '+998 93 555 12 34',
  email: 'dilnoza@example.uz',
  message: 'Interested in the annual plan, please call after 18:00.',
};

/** `connected` / `not connected`, as the home page says it. */
export function amoCrmOnHome(html: string): string {
  return /amoCRM: <strong>([^<]*)</.exec(html)?.[1] ?? '?';
}

export async function amoCrmConnect(ctx: DemoContext): Promise<void> {
  ctx.report.section('2. amoCRM — connect the integration, then push a lead');

  const early = await post(ctx, '/leads', LEAD);
  must(ctx, early.page.status === 502 && early.body.code === 'REAUTHORIZATION_REQUIRED', `POST /leads before connecting → ${early.page.status} ${String(early.body.code)}`);

  const home = await ctx.browser.get(`${ctx.appUrl}/`);
  const before = amoCrmOnHome(home.text);
  must(
    ctx,
    home.status === 200 && before === 'not connected' && /<form method="get" action="\/amocrm\/authorize"><button type="submit">Connect amoCRM</.test(home.text),
    `GET / → "amoCRM: ${before}" and a "Connect amoCRM" button (→ /amocrm/authorize)`,
  );

  // What the browser does when the button is clicked: every redirect, cookies kept.
  const connected = await ctx.browser.get(`${ctx.appUrl}/amocrm/authorize`);
  const hops = connected.hops.map((hop) => where(ctx, hop)).join(' → ');
  const after = amoCrmOnHome(connected.text);
  must(ctx, connected.status === 200 && connected.hops.length === 4, `Connect amoCRM: ${hops}`);
  must(
    ctx,
    after === 'connected' && ctx.sandbox.stats().amocrm.codeExchanges === 1,
    `back on / → "amoCRM: ${after}" (state cookie checked, code exchanged once)`,
  );

  const status = await ctx.browser.get(`${ctx.appUrl}/amocrm/status`, { 'x-api-key': ctx.adminApiKey });
  const anonymous = await ctx.browser.get(`${ctx.appUrl}/amocrm/status`);
  const token = JSON.parse(status.text) as Record<string, unknown>;
  must(
    ctx,
    status.status === 200 && token.state === 'valid' && anonymous.status === 401,
    `GET /amocrm/status with X-API-KEY → ${brief({ state: token.state, store: token.store, logins: token.logins })}; without it → ${anonymous.status}`,
  );

  const created = await post(ctx, '/leads', LEAD);
  must(ctx, created.page.status === 201 && typeof created.body.leadId === 'number', `POST /leads → ${created.page.status} ${brief(created.body)}`);

  const lead = ctx.sandbox.amocrmLeads().find((l) => l.id === created.body.leadId) as StoredLead | undefined;
  const contact = lead?._embedded?.contacts?.[0]?.name;
  const note = lead?._embedded?.notes?.[0]?.params?.text;
  must(
    ctx,
    lead !== undefined && contact === LEAD.name && note === LEAD.message,
    `in the sandbox's amoCRM: lead "${lead?.name}", contact "${contact}", note "${note}"`,
  );
}

/** `app /amocrm/callback`, `sandbox /oauth`: a hop without its query (codes, states). */
function where(ctx: DemoContext, url: string): string {
  const u = new URL(url);
  if (u.origin === new URL(ctx.appUrl).origin) return `app ${u.pathname}`;
  if (u.origin === new URL(ctx.sandbox.url).origin) return `sandbox ${u.pathname} (consent, auto-approved)`;
  return u.origin;
}

interface StoredLead {
  id: number;
  name: string;
  _embedded?: {
    contacts?: Array<{ name?: string }>;
    notes?: Array<{ params?: { text?: string } }>;
  };
}
