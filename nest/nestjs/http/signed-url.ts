/**
 * The URL a webhook's sender signed, rebuilt from the request. `X-Forwarded-Proto` and
 * `X-Forwarded-Host` are headers anyone can write, so they count only when the app trusts the
 * proxy the request came through (Express's `trust proxy` setting, applied the way Express's own
 * `req.protocol` / `req.host` apply it: the compiled `trust proxy fn` asked about the socket's
 * peer). Otherwise the raw `Host` header and the socket's own scheme. A configured public URL wins
 * over both. Never trust forwarded headers here by any other rule: a signature checked against
 * an attacker-chosen host proves nothing about the host this app is reached at.
 */
import { header, requestPath, type HttpRequestLike } from './request';

/** What Express adds to a request (absent on other adapters, which then trust no proxy). */
export interface ProxyAwareRequest extends HttpRequestLike {
  app?: { get(setting: string): unknown };
  socket?: { encrypted?: boolean; remoteAddress?: string };
}

/** Whether Express's `trust proxy` setting trusts the peer this request came from. */
export function trustsProxy(req: ProxyAwareRequest): boolean {
  const trust = req.app?.get('trust proxy fn');
  return typeof trust === 'function' && (trust as (addr: string | undefined, i: number) => unknown)(req.socket?.remoteAddress, 0) === true;
}

/**
 * `publicUrl` (origin plus any prefix a proxy strips) followed by the path and query as
 * received; else, behind a trusted proxy, the forwarded scheme and host; else the socket's scheme
 * and the raw `Host` header.
 */
export function signedRequestUrl(req: ProxyAwareRequest, publicUrl?: string): string {
  if (publicUrl) return publicUrl.replace(/\/+$/, '') + requestPath(req);
  const ownScheme = req.socket?.encrypted === true ? 'https' : 'http';
  const rawHost = header(req, 'host') ?? 'localhost';
  if (!trustsProxy(req)) return `${ownScheme}://${rawHost}${requestPath(req)}`;
  const scheme = header(req, 'x-forwarded-proto')?.toLowerCase() ?? ownScheme;
  const host = header(req, 'x-forwarded-host') ?? rawHost;
  return `${scheme}://${host}${requestPath(req)}`;
}
