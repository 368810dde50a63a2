/**
 * What a refused or failed OAuth callback tells its caller, and what it tells the log.
 *
 * The callback is public: whoever calls it learns only a stable reason and a fixed sentence for
 * it (`state_mismatch`, `exchange_failed`, …). Network error texts, hosts, ports, provider
 * messages and uzgate error codes never reach the answer — an error that said "connection
 * refused" for one referer and "TLS handshake failed" for another would make the app a port
 * scanner. The details go to the server log, with the request's code and state masked.
 */
import { UzgateError } from '../../index';

/** The reasons a caller can see. Anything else is `exchange_failed` (or `invalid_callback`). */
export type OAuthFailureReason =
  | 'access_denied'
  | 'consent_error'
  | 'state_missing'
  | 'state_mismatch'
  | 'code_revoked'
  | 'code_expired'
  | 'code_invalid'
  | 'invalid_callback'
  | 'invalid_account_host'
  | 'other_account'
  | 'widget_account_refused'
  | 'too_many_callbacks'
  | 'exchange_failed';

const MESSAGES: Readonly<Record<OAuthFailureReason, string>> = {
  access_denied: 'Access to amoCRM was declined on the consent page. Connect again and choose Allow.',
  consent_error: "amoCRM's consent page reported an error. Start connecting again from the app.",
  state_missing:
    'No connection was started in this browser, so this callback cannot be checked. Most likely the app was opened on ' +
    'another host than the redirect URI (for example http://localhost:3000 while the redirect URI says ' +
    'http://127.0.0.1:3000: cookies belong to one host), the browser blocks cookies, or more than 10 minutes passed. ' +
    "Open the app at the redirect URI's host and connect again.",
  state_mismatch:
    'This callback does not belong to the connection started in this browser (it is stale, replayed or forged). ' +
    'Start connecting again from the app.',
  code_revoked: 'This authorization code was already used. Start connecting again from the app.',
  code_expired: 'This authorization code expired. Start connecting again from the app.',
  code_invalid: 'This authorization code is not valid. Start connecting again from the app.',
  invalid_callback: 'This is not a valid amoCRM callback. Start connecting again from the app.',
  invalid_account_host: 'The callback does not name an amoCRM account host. Start connecting again from the app.',
  other_account: 'This app is connected to another amoCRM account; callbacks of other accounts are refused.',
  widget_account_refused: 'A widget install from another amoCRM account is refused.',
  too_many_callbacks: 'Too many connection attempts. Wait a minute, then connect again.',
  exchange_failed:
    'amoCRM could not be connected right now. Try again in a moment; if it keeps failing, the server log says why.',
};

/** The HTTP status of each reason when the callback answers JSON. */
const STATUS: Readonly<Record<OAuthFailureReason, number>> = {
  access_denied: 400,
  consent_error: 400,
  state_missing: 400,
  state_mismatch: 400,
  code_revoked: 400,
  code_expired: 400,
  code_invalid: 400,
  invalid_callback: 400,
  invalid_account_host: 400,
  other_account: 400,
  widget_account_refused: 403,
  too_many_callbacks: 429,
  exchange_failed: 502,
};

const SHOWN = new Set<string>(Object.keys(MESSAGES));

/** The sentence for a reason (e.g. for a page that receives `?error=<reason>` from `failureRedirect`). */
export function oauthFailureMessage(reason: string): string {
  return SHOWN.has(reason) ? MESSAGES[reason as OAuthFailureReason] : MESSAGES.exchange_failed;
}

export function oauthFailureStatus(reason: OAuthFailureReason): number {
  return STATUS[reason];
}

/**
 * The reason a caller may see for an error of `exchangeCode`. The core's own reasons are kept
 * when they are about the request (declined, stale, reused); a bad request without one is
 * `invalid_callback` (a missing state cookie never gets this far); anything on the way to
 * amoCRM or back (network, timeout, a refusal of the integration's credentials) is
 * `exchange_failed`.
 */
export function publicReason(error: UzgateError): OAuthFailureReason {
  const reason = (error.details as { reason?: unknown } | undefined)?.reason;
  if (typeof reason === 'string' && SHOWN.has(reason) && reason !== 'exchange_failed') return reason as OAuthFailureReason;
  return error.code === 'INVALID_ARGUMENT' ? 'invalid_callback' : 'exchange_failed';
}

/** Long runs of token characters: access and refresh tokens, codes, secrets. */
const TOKEN_LIKE = /[A-Za-z0-9_\-+/=]{24,}/g;

/** The error's text for the log: the request's own code and state, and anything token-like, masked. */
export function logDetails(error: UzgateError, requestSecrets: Array<string | undefined>): string {
  let text = `${error.code}${error.status ? ` (HTTP ${error.status})` : ''}: ${error.message}`;
  for (const secret of requestSecrets) {
    if (secret && secret.length >= 4) text = text.split(secret).join('***');
  }
  return text.replace(TOKEN_LIKE, '***');
}
