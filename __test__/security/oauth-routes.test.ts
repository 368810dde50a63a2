/**
 * The amoCRM OAuth routes attacked over HTTP: the app's own guards on /authorize and /status
 * (never on /callback), the callback's own budget, one generic answer whatever broke during the
 * exchange (against real listeners on 127.0.0.1), and the missing-cookie explanation.
 */
import * as http from 'node:http';
import * as net from 'node:net';
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import request from 'supertest';
import type { Sandbox } from '../../nest';
import { AMOCRM_STATE_COOKIE, AmoCrmModule } from '../../nest/nestjs';
import { AMO, sandbox } from '../helpers';
import { closeApps, CollectingLogger, startApp } from '../nest-helpers';
import { API_KEY, authorize, callback, exchanges, oauthApp, setCookieText } from '../nest-oauth-helpers';

const SESSION_HEADER = 'x-test-admin-session';

/** Stands for an app's admin-session guard: lets through only a request that carries the session. */
@Injectable()
class AdminSessionGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>();
    return req.headers[SESSION_HEADER] === 'admin';
  }
}

let sb: Sandbox;

beforeEach(async () => {
  sb = await sandbox({ amocrm: { autoConsent: true } });
});

afterEach(async () => {
  await closeApps();
  await sb.close();
});

describe('the app\'s own guards on /authorize and /status', () => {
  test('a guard that refuses: 403, no state cookie, no redirect, no state handed out', async () => {
    const app = await oauthApp(sb, { guards: [AdminSessionGuard] });
    const server = app.getHttpServer();
    const refused = await request(server).get('/amocrm/authorize').expect(403);
    expect(refused.headers['set-cookie']).toBeUndefined();
    expect(refused.headers.location).toBeUndefined();
    expect(JSON.stringify(refused.body)).not.toMatch(/state|oauth/i);
    // The API key alone no longer opens /status: the guard runs too.
    await request(server).get('/amocrm/status').set('X-API-KEY', API_KEY).expect(403);
    expect(sb.stats().amocrm.requests).toBe(0);
  });

  test('a guard that allows: the flow works, and /callback is never guarded', async () => {
    const app = await oauthApp(sb, { guards: [AdminSessionGuard] });
    const server = app.getHttpServer();
    const res = await request(server).get('/amocrm/authorize').set(SESSION_HEADER, 'admin').expect(302);
    const state = /uzgate_amocrm_state=([^;]+)/.exec(setCookieText(res))![1];
    // The browser coming back from amoCRM carries no admin header: the state cookie is its proof.
    const back = await callback(app, sb, state).expect(200);
    expect(back.body).toMatchObject({ ok: true, status: { state: 'valid' } });
    expect(sb.stats().amocrm.codeExchanges).toBe(1);
    // Both the guard and the key guard /status.
    await request(server).get('/amocrm/status').set(SESSION_HEADER, 'admin').expect(401);
    const ok = await request(server).get('/amocrm/status').set(SESSION_HEADER, 'admin').set('X-API-KEY', API_KEY).expect(200);
    expect(ok.body).toMatchObject({ provider: 'amocrm', state: 'valid' });
  });

  test('guards without an apiKey serve /status to whom the guard lets through; an instance works as well as a class', async () => {
    const app = await oauthApp(sb, { apiKey: undefined, guards: [new AdminSessionGuard()] });
    const server = app.getHttpServer();
    await request(server).get('/amocrm/status').expect(403);
    await request(server).get('/amocrm/status').set(SESSION_HEADER, 'admin').expect(200);
    await request(server).get('/amocrm/authorize').expect(403);
  });

  test('forRootAsync: guards next to useFactory apply; guards returned by the factory are a CONFIG error at startup', async () => {
    const options = { clientId: AMO.clientId, clientSecret: AMO.clientSecret, redirectUri: AMO.redirectUri, baseUrl: sb.url };
    const app = await startApp({
      imports: [AmoCrmModule.forRootAsync({ useFactory: () => options, oauth: { guards: [AdminSessionGuard] } })],
    });
    await request(app.getHttpServer()).get('/amocrm/authorize').expect(403);

    const late = startApp({
      imports: [AmoCrmModule.forRootAsync({ useFactory: () => ({ ...options, oauth: { guards: [AdminSessionGuard] } }), oauth: true })],
    });
    await expect(late).rejects.toMatchObject({ code: 'CONFIG', message: expect.stringMatching(/oauth\.guards must be given to forRootAsync next to useFactory/) });
  });
});

describe('the callback\'s own budget', () => {
  test('default 5 per minute: 6 valid callbacks → 5 exchanges at amoCRM, the 6th 429 with Retry-After and nothing done', async () => {
    const app = await oauthApp(sb);
    const answers: number[] = [];
    for (let i = 0; i < 6; i++) {
      const { state } = await authorize(app);
      const res = await callback(app, sb, state);
      answers.push(res.status);
      if (i === 5) {
        expect(res.body).toEqual({ ok: false, error: 'too_many_callbacks', message: expect.stringMatching(/Too many connection attempts/) });
        const retryAfter = Number(res.headers['retry-after']);
        expect(retryAfter).toBeGreaterThanOrEqual(55);
        expect(retryAfter).toBeLessThanOrEqual(60);
        // Refused before anything else: the state cookie is not even consumed.
        expect(res.headers['set-cookie']).toBeUndefined();
      }
    }
    expect(answers).toEqual([200, 200, 200, 200, 200, 429]);
    expect(exchanges(sb)).toBe(5);
  });

  test('an option: 2 per window; forged callbacks spend it as well (checked first), and no exchange past it', async () => {
    const app = await oauthApp(sb, { exchangeBudget: { limit: 2, windowSeconds: 30 } });
    await callback(app, sb, 'forged', `code=x&state=other`).expect(400);
    const { state } = await authorize(app);
    await callback(app, sb, state).expect(200);
    const next = await authorize(app);
    const refused = await callback(app, sb, next.state).expect(429);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(30);
    expect(exchanges(sb)).toBe(1);
  });

  test.each([
    [{ limit: 0 }, /exchangeBudget\.limit must be a whole number/],
    [{ limit: 2.5 }, /exchangeBudget\.limit must be a whole number/],
    [{ windowSeconds: -1 }, /exchangeBudget\.windowSeconds must be a number of seconds above 0/],
    [{ windowSeconds: Number.NaN }, /exchangeBudget\.windowSeconds must be a number of seconds above 0/],
  ])('a budget of %j is a CONFIG error at startup', async (budget, message) => {
    await expect(oauthApp(sb, { exchangeBudget: budget })).rejects.toMatchObject({ code: 'CONFIG', message: expect.stringMatching(message) });
  });
});

/** A listener on 127.0.0.1 that counts connections and breaks each one its own way. */
interface Hostile {
  url: string;
  connections: () => number;
  close: () => Promise<void>;
}

async function listen(server: net.Server | http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

async function tcpListener(onSocket: (socket: net.Socket) => void): Promise<Hostile> {
  const sockets = new Set<net.Socket>();
  let count = 0;
  const server = net.createServer((socket) => {
    count++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onSocket(socket);
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => { resolve(); });
      }),
  };
}

const HOSTILE: Record<string, () => Promise<Hostile>> = {
  'a closed port': async () => {
    const h = await tcpListener(() => undefined);
    await h.close();
    return { ...h, close: async () => undefined };
  },
  'a reset on connect': () => tcpListener((s) => s.resetAndDestroy()),
  'a close after the request': () => tcpListener((s) => s.once('data', () => s.end())),
  'bytes that are not HTTP': () => tcpListener((s) => s.once('data', () => s.end('SSH-2.0-OpenSSH_9.6\r\n'))),
  'no answer at all (timeout)': () => tcpListener(() => undefined),
  'an HTML 500 naming internals': async () => {
    let count = 0;
    const server = http.createServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/html' });
      res.end('<h1>nginx: upstream 10.0.0.7:8443 refused</h1>');
    });
    server.on('connection', () => count++);
    const port = await listen(server);
    return {
      url: `http://127.0.0.1:${port}`,
      connections: () => count,
      close: () => new Promise<void>((resolve) => server.close(() => { resolve(); })),
    };
  },
};

test('an exchange failing at the network level: the same answer whatever the failure, the details only in the log, masked', async () => {
  const answers: Record<string, { status: number; body: unknown; headers: string[] }> = {};
  const logger = new CollectingLogger();
  for (const [name, make] of Object.entries(HOSTILE)) {
    const hostile = await make();
    try {
      const app = await oauthApp(sb, {}, { baseUrl: hostile.url }, logger);
      const { state } = await authorize(app);
      const code = `code-${name.replace(/\W/g, '')}-${Date.now()}`;
      const res = await callback(app, sb, state, `code=${code}&state=${state}&referer=${AMO.referer}`);
      answers[name] = { status: res.status, body: res.body, headers: Object.keys(res.headers).filter((h) => !['date', 'etag', 'content-length'].includes(h)).sort() };
      if (name === 'a reset on connect') {
        // A reset can reach the client while it is still connecting (nothing sent: retried, at
        // most the retry budget of 3 attempts) or after the request went out (never retried: a
        // code is single use). Either way the listener was reached and the retries were bounded.
        expect({ name, reached: hostile.connections() >= 1, bounded: hostile.connections() <= 3 }).toEqual({ name, reached: true, bounded: true });
      } else if (name !== 'a closed port') {
        expect({ name, connections: hostile.connections() }).toEqual({ name, connections: 1 });
      }
      const line = logger.lines.filter((l) => l.message.includes('amoCRM OAuth callback refused (exchange_failed)')).at(-1);
      expect({ name, logged: line?.level }).toEqual({ name, logged: 'error' });
      expect(line!.message).not.toContain(code);
      expect(line!.message).not.toContain(state);
      expect(line!.message).not.toContain(AMO.clientSecret);
    } finally {
      await closeApps();
      await hostile.close();
    }
  }
  const expected = {
    status: 502,
    body: { ok: false, error: 'exchange_failed', message: 'amoCRM could not be connected right now. Try again in a moment; if it keeps failing, the server log says why.' },
  };
  for (const [name, answer] of Object.entries(answers)) {
    expect({ name, status: answer.status, body: answer.body }).toEqual({ name, ...expected });
    expect({ name, headers: answer.headers }).toEqual({ name, headers: answers['a closed port'].headers });
  }
  expect(Object.keys(answers)).toHaveLength(Object.keys(HOSTILE).length);
});

test('a missing state cookie names the likely cause (host or cookies), not a library parameter', async () => {
  const app = await oauthApp(sb);
  const { state } = await authorize(app);
  const res = await request(app.getHttpServer()).get(`/amocrm/callback?code=${sb.amocrmIssueCode()}&state=${state}&referer=${AMO.referer}`).expect(400);
  expect(res.body).toEqual({
    ok: false,
    error: 'state_missing',
    message:
      'No connection was started in this browser, so this callback cannot be checked. Most likely the app was opened on ' +
      'another host than the redirect URI (for example http://localhost:3000 while the redirect URI says ' +
      'http://127.0.0.1:3000: cookies belong to one host), the browser blocks cookies, or more than 10 minutes passed. ' +
      "Open the app at the redirect URI's host and connect again.",
  });
  // An empty cookie is no cookie.
  const empty = await request(app.getHttpServer())
    .get(`/amocrm/callback?code=${sb.amocrmIssueCode()}&state=&referer=${AMO.referer}`)
    .set('Cookie', `${AMOCRM_STATE_COOKIE}=`)
    .expect(400);
  expect(empty.body.error).toBe('state_missing');
  expect(exchanges(sb)).toBe(0);
});
