/**
 * A minimal browser over Node's fetch: keeps cookies per origin and follows redirects itself,
 * so the demo can walk an OAuth round trip hop by hop — and refuse any hop that would leave
 * 127.0.0.1.
 */
export interface Page {
  status: number;
  url: string;
  headers: Headers;
  text: string;
  /** Every URL visited, the first request included. */
  hops: string[];
}

const MAX_REDIRECTS = 10;

export class Browser {
  private readonly cookies = new Map<string, Map<string, string>>();

  async get(url: string, headers: Record<string, string> = {}): Promise<Page> {
    return this.request('GET', url, undefined, headers);
  }

  async post(url: string, body: unknown): Promise<Page> {
    return this.request('POST', url, JSON.stringify(body), { 'content-type': 'application/json' });
  }

  private async request(method: string, url: string, body: string | undefined, headers: Record<string, string>): Promise<Page> {
    const hops: string[] = [];
    let target = new URL(url);
    for (let redirects = 0; ; redirects++) {
      if (target.hostname !== '127.0.0.1') throw new Error(`refusing to leave 127.0.0.1: ${target.origin}`);
      hops.push(target.href);
      const init: RequestInit = {
        method,
        body,
        headers: { ...headers, ...this.cookieHeader(target) },
        redirect: 'manual',
        signal: AbortSignal.timeout(10_000),
      };
      const res = await fetch(target, init).catch((e: unknown) => {
        // A kept-alive connection to a server that has since stopped (the app restarted) fails
        // before any answer; browsers retry on a new connection, and so does this.
        if (!isStaleConnection(e)) throw e;
        return fetch(target, init);
      });
      this.keepCookies(target, res.headers);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        await res.arrayBuffer();
        if (redirects === MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects from ${url}`);
        target = new URL(location, target);
        method = 'GET';
        body = undefined;
        continue;
      }
      return { status: res.status, url: target.href, headers: res.headers, text: await res.text(), hops };
    }
  }

  /** Path and expiry attributes are ignored: only the app sets cookies, and only one. */
  private keepCookies(url: URL, headers: Headers): void {
    for (const cookie of headers.getSetCookie()) {
      const [pair = '', ...attributes] = cookie.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const jar = this.cookies.get(url.origin) ?? new Map<string, string>();
      this.cookies.set(url.origin, jar);
      if (attributes.some((a) => a.trim().toLowerCase() === 'max-age=0')) jar.delete(name);
      else jar.set(name, pair.slice(at + 1).trim());
    }
  }

  private cookieHeader(url: URL): Record<string, string> {
    const jar = this.cookies.get(url.origin);
    if (!jar || jar.size === 0) return {};
    return { cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; ') };
  }
}

function isStaleConnection(e: unknown): boolean {
  const cause = e instanceof Error ? (e.cause as { code?: string } | undefined) : undefined;
  return cause?.code === 'UND_ERR_SOCKET';
}

/** The body as JSON, or undefined when it is not JSON. */
export function json(page: Page): unknown {
  try {
    return JSON.parse(page.text);
  } catch {
    return undefined;
  }
}
