/** The home page's HTML. Everything interpolated is escaped (`error` comes from the query string). */
import type { TokenState } from 'uzgate';
import { amoCrmOAuthFailureMessage } from 'uzgate/nestjs';

export interface HomeView {
  amoState: TokenState;
  expiresAt: Date | null;
  error?: string;
}

/** States in which requests to amoCRM go through (a refresh may be due, uzgate does it). */
const CONNECTED: ReadonlySet<TokenState> = new Set(['valid', 'expiring', 'expired', 'refreshing']);

export function renderHome(view: HomeView): string {
  const connected = CONNECTED.has(view.amoState);
  const status = connected
    ? `<p id="amocrm-state">amoCRM: <strong>connected</strong>` +
      (view.expiresAt ? ` (access token until ${esc(view.expiresAt.toISOString())}, refreshed automatically)` : '') +
      '</p>'
    : `<p id="amocrm-state">amoCRM: <strong>not connected</strong></p>`;
  // The reason comes from the OAuth routes' failureRedirect (`?error=state_mismatch`); the sentence is uzgate's.
  const error = view.error
    ? `<p id="amocrm-error">Connecting failed (<code>${esc(view.error)}</code>): ${esc(amoCrmOAuthFailureMessage(view.error))}</p>`
    : '';
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>uzgate example</title></head>
<body>
<h1>uzgate example</h1>
${status}
${error}
<form method="get" action="/amocrm/authorize"><button type="submit">${connected ? 'Reconnect' : 'Connect'} amoCRM</button></form>
<p>API: <code>POST /auth/send-otp</code>, <code>POST /auth/verify-otp</code>, <code>POST /leads</code>,
<code>GET /health</code>, <code>GET /metrics</code>.</p>
</body>
</html>
`;
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
