/**
 * `npm run demo`: the example app against the sandbox gateway, over real HTTP on 127.0.0.1.
 * Starts the sandbox (in process), points the app's environment at it, boots the app, walks
 * through the flows and prints a report whose last line is `demo OK` or `demo FAILED: …`
 * (exit code 0 / 1). Everything is closed at the end, so the process exits by itself.
 */
import 'reflect-metadata';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startSandbox } from 'uzgate';
import { AppRunner, freePort, LogBuffer } from './app-runner';
import { Browser } from './browser';
import { DemoStop, type DemoContext } from './context';
import { applyEnvironment, demoEnvironment } from './environment';
import { Report } from './report';
import { amoCrmConnect } from './steps/amocrm-connect';
import { healthAndMetrics } from './steps/health-metrics';
import { otpLogin } from './steps/otp-login';
import { restart } from './steps/restart';
import { tokenExpiry } from './steps/token-expiry';

const STEPS = [otpLogin, amoCrmConnect, tokenExpiry, healthAndMetrics, restart];

async function main(): Promise<boolean> {
  const started = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uzgate-demo-'));
  const logs = new LogBuffer();
  const app = new AppRunner(await freePort(), logs);
  const sandbox = await startSandbox({ amocrm: { redirectUri: `${app.url}/amocrm/callback`, autoConsent: true } });
  const env = demoEnvironment({ sandboxUrl: sandbox.url, appUrl: app.url, tokenFile: path.join(dir, 'tokens.json') });
  applyEnvironment(env.vars);
  const report = new Report(env.secrets);
  const ctx: DemoContext = {
    report,
    sandbox,
    browser: new Browser(),
    appUrl: app.url,
    tokenFile: env.vars.UZGATE_TOKEN_FILE,
    adminApiKey: env.vars.ADMIN_API_KEY,
    restartApp: () => app.restart(),
  };

  report.line('uzgate demo — examples/nest-app against the sandbox gateway (nothing leaves 127.0.0.1)');
  report.line(`  app      ${app.url}   (Nest, express; configured from environment variables)`);
  report.line(`  sandbox  ${sandbox.url}   (imitates Eskiz and amoCRM; its inbox is the user's phone)`);
  try {
    await app.start();
    for (const step of STEPS) await step(ctx);
  } catch (e) {
    if (!(e instanceof DemoStop)) report.fail(`stopped by an error: ${describe(e)}`);
  } finally {
    await app.close();
    await sandbox.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }

  if (report.failed) {
    report.section('app log, last lines:');
    for (const line of logs.last(25)) report.line(`  ${line}`);
  }
  report.line();
  report.line(`finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  report.verdict();
  return !report.failed;
}

/** `fetch failed (ECONNREFUSED …)`: fetch hides the useful part in `cause`. */
function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  return e.cause instanceof Error ? `${e.message} (${e.cause.message})` : e.message;
}

main().then(
  (ok) => {
    process.exitCode = ok ? 0 : 1;
  },
  (e: unknown) => {
    console.error('demo FAILED:', e);
    process.exitCode = 1;
  },
);
