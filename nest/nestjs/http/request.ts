/**
 * The little of an HTTP request the controllers need, typed structurally so the published
 * declarations depend on no HTTP framework's types (Express's request satisfies it).
 */
export interface HttpRequestLike {
  headers: Record<string, string | string[] | undefined>;
  /** Express: the path and query as received, before any router stripped a prefix. */
  originalUrl?: string;
  url?: string;
  /** Express: true for TLS (or a trusted proxy's `X-Forwarded-Proto: https`). */
  secure?: boolean;
  protocol?: string;
  /** Parsed by Nest's body parsers (JSON, urlencoded). */
  body?: unknown;
  /** With `NestFactory.create(…, { rawBody: true })`. */
  rawBody?: Buffer;
}

/** The first value of a header, as proxies may repeat or comma-join them. */
export function header(req: HttpRequestLike, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  const first = Array.isArray(value) ? value[0] : value;
  return first?.split(',')[0]?.trim() || undefined;
}

/** Whether the browser reached us over https, directly or through a TLS-terminating proxy. */
export function isHttps(req: HttpRequestLike): boolean {
  return req.secure === true || req.protocol === 'https' || header(req, 'x-forwarded-proto')?.toLowerCase() === 'https';
}

/** Path and query as the client sent them. */
export function requestPath(req: HttpRequestLike): string {
  return req.originalUrl ?? req.url ?? '/';
}

/** The path of the request without its query and without `suffix` (e.g. `/authorize`). */
export function pathWithout(req: HttpRequestLike, suffix: string): string {
  const path = requestPath(req).split('?')[0];
  const base = path.endsWith(suffix) ? path.slice(0, -suffix.length) : path;
  return base === '' ? '/' : base;
}
