/**
 * The amoCRM connect flow in a real browser: headless Chromium (Debian's, driven by
 * playwright-core; no browser is downloaded) opens the example app, clicks "Connect amoCRM",
 * approves on the sandbox's consent page and lands back connected. Then the same browser, with
 * its cookies, replays a stale callback and sends one naming a foreign account host (a listener
 * on 127.0.0.1 that must see no connection): both end on the refusal page, with no exchange.
 * Screenshots of the end states go to test-artifacts/oauth-browser/ (git-ignored).
 *
 * Skipped visibly where /usr/bin/chromium is missing (scripts/with-chromium.sh installs it in CI).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startSandbox, type Sandbox } from '../../nest';
import { demoEnvironment, type DemoEnvironment } from '../../examples/nest-app/demo/environment';

const ROOT = path.join(__dirname, '..', '..');
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'oauth-browser');
/** The sandbox's amoCRM account (`{subdomain}.amocrm.ru`), the one the app is configured for. */
const ACCOUNT_SUBDOMAIN = 'uzgate';

const available = fs.existsSync(CHROMIUM);
if (!available) {
  console.warn(`oauth-browser: ${CHROMIUM} not found — the browser test is SKIPPED (scripts/with-chromium.sh installs it in CI)`);
}
const describeWithChromium = available ? describe : describe.skip;

/** The example app in its own process, as `node examples/nest-app/dist/src/main.js` runs it. */
class ExampleApp {
  private output = '';
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    child.stdout!.on('data', (d: Buffer) => (this.output += d.toString('utf8')));
    child.stderr!.on('data', (d: Buffer) => (this.output += d.toString('utf8')));
  }

  static async start(port: number, env: Record<string, string>): Promise<ExampleApp> {
    const child = spawn(process.execPath, [path.join(ROOT, 'examples/nest-app/dist/src/main.js')], {
      cwd: ROOT,
      env: { ...appFreeEnv(), ...env, PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const app = new ExampleApp(child, `http://127.0.0.1:${port}`);
    await app.ready();
    return app;
  }

  /** Everything the app printed (its Nest and uzgate log lines). */
  get log(): string {
    return this.output;
  }

  private async ready(): Promise<void> {
    const until = Date.now() + 20_000;
    while (Date.now() < until) {
      if (this.child.exitCode !== null) throw new Error(`the example app exited (${this.child.exitCode}):\n${this.output}`);
      const up = await fetch(`${this.url}/`, { signal: AbortSignal.timeout(1000) }).then(
        (r) => r.status === 200,
        () => false,
      );
      if (up) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the example app did not answer within 20 s:\n${this.output}`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}

/** This process's environment without the variables the app reads (the test gives its own). */
function appFreeEnv(): Record<string, string> {
  const app = /^(SMS_PROVIDER|ESKIZ_|TWILIO_|AMOCRM_|OTP_|ADMIN_API_KEY$|UZGATE_(TOKEN_STORE|TOKEN_FILE|REDIS_URL|ENCRYPTION_KEY)$)/;
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => !app.test(e[0]) && e[1] !== undefined));
}

/** A TCP listener on 127.0.0.1 standing for an attacker's host: it only counts connections. */
async function countingListener(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let count = 0;
  const server = net.createServer((socket) => {
    count++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => count,
    close: () => new Promise<void>((resolve) => server.close(() => { resolve(); })),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => { resolve(port); });
    });
  });
}

function compileExample(): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'examples/nest-app/tsconfig.json'], { cwd: ROOT }, (error, stdout, stderr) => {
      if (error) reject(new Error(`the example app does not compile (run \`npm run build\` first):\n${stdout}${stderr}`));
      else resolve();
    },
    );
  });
}

describeWithChromium('the amoCRM connect flow in headless Chromium', () => {
  let sandbox: Sandbox;
  let app: ExampleApp;
  let env: DemoEnvironment;
  let attacker: Awaited<ReturnType<typeof countingListener>>;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  let tokenDir: string;
  /** Requests the browser tried to send anywhere but 127.0.0.1 (aborted). */
  const offHost: string[] = [];
  /** Every callback URL the browser visited, in order. */
  const callbacks: string[] = [];

  beforeAll(async () => {
    await compileExample();
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    tokenDir = fs.mkdtempSync(path.join(os.tmpdir(), 'uzgate-browser-'));
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'uzgate-chromium-'));
    attacker = await countingListener();
    const port = await freePort();
    const appUrl = `http://127.0.0.1:${port}`;
    // No autoConsent: the browser sees the consent page and presses Allow.
    sandbox = await startSandbox({ amocrm: { redirectUri: `${appUrl}/amocrm/callback`, subdomain: ACCOUNT_SUBDOMAIN } });
    env = demoEnvironment({ sandboxUrl: sandbox.url, appUrl, tokenFile: path.join(tokenDir, 'tokens.json') });
    app = await ExampleApp.start(port, { ...env.vars, AMOCRM_SUBDOMAIN: ACCOUNT_SUBDOMAIN });

    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === '127.0.0.1') return route.continue();
      offHost.push(url.origin);
      return route.abort();
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('request', (req) => {
      if (new URL(req.url()).pathname === '/amocrm/callback') callbacks.push(req.url());
    });
  }, 90_000);

  afterAll(async () => {
    // beforeAll may have failed before assigning these.
    /* eslint-disable @typescript-eslint/no-unnecessary-condition */
    await context?.close();
    await app?.stop();
    await sandbox?.close();
    await attacker?.close();
    /* eslint-enable @typescript-eslint/no-unnecessary-condition */
    for (const dir of [profile, tokenDir]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  afterEach(() => {
    expect(offHost).toEqual([]);
  });

  const stateOnPage = () => page.locator('#amocrm-state').innerText();
  const errorOnPage = () => page.locator('#amocrm-error');
  const tokenStatus = async () => {
    const res = await fetch(`${app.url}/amocrm/status`, { headers: { 'x-api-key': env.vars.ADMIN_API_KEY } });
    return (await res.json()) as { state: string; logins: number };
  };

  test('Connect amoCRM → the consent page → Allow → back on the app, connected (tokenStatus valid)', async () => {
    await page.goto(`${app.url}/`);
    expect(await stateOnPage()).toBe('amoCRM: not connected');

    await page.getByRole('button', { name: 'Connect amoCRM' }).click();
    await page.waitForURL((url) => url.origin === sandbox.url && url.pathname === '/oauth');
    // The sandbox's consent page (in Russian for an amocrm.ru account) names the account asked for.
    await expect(page.locator('p b').innerText()).resolves.toBe(`${ACCOUNT_SUBDOMAIN}.amocrm.ru`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'consent.png'), fullPage: true });

    await page.locator('#allow').click();
    await page.waitForURL(`${app.url}/`);
    expect(await stateOnPage()).toMatch(/^amoCRM: connected/);
    await expect(errorOnPage().count()).resolves.toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'connected.png'), fullPage: true });

    expect(await tokenStatus()).toMatchObject({ state: 'valid', logins: 1 });
    expect(sandbox.stats().amocrm.codeExchanges).toBe(1);
    expect(callbacks).toHaveLength(1);
  });

  test('the same browser replaying that callback (stale state, spent code) → the refusal page, no exchange', async () => {
    const stale = callbacks[0];
    // A new connection is under way in this browser (its cookie holds a fresh state)...
    await page.goto(`${app.url}/amocrm/authorize`);
    await page.waitForURL((url) => url.origin === sandbox.url);
    // ...and the old callback comes back.
    await page.goto(stale);
    await page.waitForURL((url) => url.origin === app.url && url.pathname === '/');
    expect(new URL(page.url()).searchParams.get('error')).toBe('state_mismatch');
    await expect(errorOnPage().innerText()).resolves.toMatch(/^Connecting failed \(state_mismatch\): This callback does not belong to the connection started in this browser/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'refused-stale-state.png'), fullPage: true });

    expect(sandbox.stats().amocrm.codeExchanges + sandbox.stats().amocrm.codeFailures).toBe(1);
    expect(await tokenStatus()).toMatchObject({ state: 'valid', logins: 1 });
  });

  test('a callback with the right state but a foreign referer (the attacker\'s host) → the refusal page, 0 connections there', async () => {
    await page.goto(`${app.url}/amocrm/authorize`);
    await page.waitForURL((url) => url.origin === sandbox.url);
    const state = new URL(page.url()).searchParams.get('state')!;
    const foreign = new URL(`${app.url}/amocrm/callback`);
    foreign.search = new URLSearchParams({ code: sandbox.amocrmIssueCode(), state, referer: `127.0.0.1:${attacker.port}` }).toString();
    await page.goto(foreign.href);
    await page.waitForURL((url) => url.origin === app.url && url.pathname === '/');
    await page.screenshot({ path: path.join(ARTIFACTS, 'refused-foreign-referer.png'), fullPage: true });

    expect(attacker.connections()).toBe(0);
    await expect(errorOnPage().count()).resolves.toBe(1);
    expect(new URL(page.url()).searchParams.get('error')).toMatch(/^[a-z_]+$/);
    expect(sandbox.stats().amocrm.codeExchanges + sandbox.stats().amocrm.codeFailures).toBe(1);
    expect(await tokenStatus()).toMatchObject({ state: 'valid', logins: 1 });
  });

  test('no secret in anything the app printed', () => {
    for (const secret of env.secrets) expect(app.log).not.toContain(secret);
    for (const url of callbacks) {
      const code = new URL(url).searchParams.get('code');
      if (code) expect(app.log).not.toContain(code);
    }
  });
});
