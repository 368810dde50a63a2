/** `npx uzgate`: commands, exit codes, errors on stderr — against a sandbox. */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Sandbox } from '../nest';
import { ESKIZ_EMAIL, ESKIZ_PASSWORD, sandbox } from './helpers';

const CLI = path.join(__dirname, '..', 'bin', 'uzgate.js');
let sb: Sandbox;
let dir: string;

beforeEach(async () => {
  sb = await sandbox();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uzgate-cli-'));
});

afterEach(async () => {
  await sb.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function run(args: string[], env: Record<string, string> = {}) {
  const { UZGATE_LOG_FILE } = process.env;
  return spawnSync(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', ...(UZGATE_LOG_FILE ? { UZGATE_LOG_FILE } : {}), ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

const eskizEnv = () => ({
  SMS_PROVIDER: 'eskiz',
  ESKIZ_EMAIL,
  ESKIZ_PASSWORD,
  ESKIZ_BASE_URL: sb.url,
  UZGATE_TOKEN_STORE: 'file',
  UZGATE_TOKEN_FILE: path.join(dir, 'tokens.json'),
});

test('help and usage errors', () => {
  const help = run(['help']);
  expect(help.status).toBe(0);
  expect(help.stdout).toContain('uzgate sandbox');
  const none = run([]);
  expect(none.status).toBe(2);
  const bad = run(['fly']);
  expect(bad.status).toBe(2);
  expect(bad.stderr).toContain('unknown command');
  expect(run(['send', '+998901234567']).status).toBe(2);
  expect(run(['token', 'status', '--provider', 'fax']).status).toBe(2);
});

test('send through the configured provider; token status from the shared store; refresh', () => {
  const sent = run(['send', '+998 90 123 45 67', 'Salom', 'dunyo'], eskizEnv());
  expect(sent.stderr).toBe('');
  expect(sent.status).toBe(0);
  expect(sent.stdout).toMatch(/sent through eskiz: id [0-9a-f-]{36}, status pending, 1 segment/);
  expect(sb.inbox()).toEqual([expect.objectContaining({ to: '998901234567', text: 'Salom dunyo' })]);

  const status = run(['token', 'status'], eskizEnv());
  expect(status.status).toBe(0);
  expect(status.stdout).toMatch(/state\s+valid/);
  expect(status.stdout).toMatch(/store\s+file/);
  expect(status.stdout).not.toMatch(/eyJ/);
  expect(sb.stats().eskiz.logins).toBe(1);

  const refreshed = run(['token', 'refresh'], eskizEnv());
  expect(refreshed.status).toBe(0);
  expect(sb.stats().eskiz.refreshes).toBe(1);
});

test('send through Play Mobile from PLAYMOBILE_* variables; a wrong password is AUTH_FAILED on stderr', () => {
  const env = { PLAYMOBILE_LOGIN: 'sandbox-login', PLAYMOBILE_PASSWORD: 'sandbox-password', PLAYMOBILE_ORIGINATOR: '3700', PLAYMOBILE_PRIORITY: 'realtime', PLAYMOBILE_BASE_URL: sb.url };
  const sent = run(['send', '+998 90 123 45 67', 'Salom'], env);
  expect(sent.stderr).toBe('');
  expect(sent.status).toBe(0);
  const id = /sent through playmobile: id ([A-Za-z0-9]{20}), status pending, 1 segment/.exec(sent.stdout)?.[1];
  expect(sb.playmobileMessages()).toEqual([expect.objectContaining({ messageId: id, recipient: '998901234567', originator: '3700', priority: 'realtime', text: 'Salom' })]);
  const wrong = run(['send', '+998901234567', 'x'], { ...env, PLAYMOBILE_PASSWORD: 'wrong-password-value' });
  expect(wrong.status).toBe(1);
  expect(wrong.stderr).toContain('AUTH_FAILED');
  expect(wrong.stderr + wrong.stdout).not.toContain('wrong-password-value');
  expect(sb.stats().playmobile).toMatchObject({ sends: 1, authFailures: 1 });
});

test('configuration and provider errors: exit 1, the code on stderr, no secret', () => {
  const missing = run(['send', '+998901234567', 'x'], { SMS_PROVIDER: 'eskiz', ESKIZ_EMAIL: 'a@b.uz' });
  expect(missing.status).toBe(1);
  expect(missing.stderr).toContain('CONFIG: ESKIZ_PASSWORD is not set');
  const wrong = run(['send', '+998901234567', 'x'], { ...eskizEnv(), ESKIZ_PASSWORD: 'wrong-password-value' });
  expect(wrong.status).toBe(1);
  expect(wrong.stderr).toContain('AUTH_FAILED');
  expect(wrong.stderr).not.toContain('wrong-password-value');
  const badPhone = run(['send', '12', 'x'], eskizEnv());
  expect(badPhone.status).toBe(1);
  expect(badPhone.stderr).toContain('INVALID_PHONE');
});

test('sandbox runs until SIGTERM and prints its URL', async () => {
  const child = spawn(process.execPath, [CLI, 'sandbox', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(String(d));
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => { reject(new Error(`exited ${code}`)); });
  });
  const res = await fetch(`${url}/__sandbox/stats`);
  expect(res.status).toBe(200);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => { r(code); }));
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
});

test('config: every configured client, masked, as JSON and as a table; CONFIG errors exit 1', () => {
  const redisPassword = 'QXZJKVWqxzjkvwGHYQXZJKVW';
  const otpSecret = 'vwGHYQXZJKVWqxzjkvwGHYQX';
  const env = {
    ...eskizEnv(),
    ESKIZ_PASSWORD: 'ZJKVWqxzjkvwGHYQXZJKVWqx',
    ESKIZ_CALLBACK_URL: 'https://shop.uz/sms/callbacks/eskiz/JKVWqxzjkvwGHYQXZJ',
    UZGATE_TOKEN_STORE: 'redis',
    UZGATE_REDIS_URL: `rediss://app-user:${redisPassword}@cache.example.uz:6380/0`,
    AMOCRM_CLIENT_ID: '3f1c2a9e-8d7b-4c6a-9e5f-0a1b2c3d4e5f',
    AMOCRM_CLIENT_SECRET: 'jkvwGHYQXZJKVWqxzjkvwGHY',
    AMOCRM_REDIRECT_URI: 'https://shop.uz/amocrm/callback',
    AMOCRM_SUBDOMAIN: 'example',
    OTP_SECRET: otpSecret,
  };
  const secrets = [env.ESKIZ_PASSWORD, redisPassword, otpSecret, env.AMOCRM_CLIENT_SECRET, 'JKVWqxzjkvwGHYQXZJ'];
  const json = run(['config', '--json'], env);
  expect(json.stderr).toBe('');
  expect(json.status).toBe(0);
  const { clients } = JSON.parse(json.stdout) as { clients: Array<{ client: string; tokenStore?: { url?: string }; hosts: Array<{ role: string; url: string }> }> };
  expect(clients.map((c) => c.client)).toEqual(['sms', 'amocrm', 'otp']);
  expect(clients[0].tokenStore?.url).toBe('rediss://app-user:***@cache.example.uz:6380/0');
  expect(clients[0].hosts).toContainEqual({ role: 'deliveryReports', url: 'https://shop.uz/***' });
  const table = run(['config'], env);
  expect(table.status).toBe(0);
  expect(table.stdout).toContain('sms · eskiz');
  expect(table.stdout).toContain('eskiz.password              set');
  expect(table.stdout).toMatch(/token store\s+redis, survives restart: yes, shared: yes, sealed: no/);
  expect(table.stdout).toMatch(/findings\s+risk\s+tokenStore.encryptionKey: tokens are stored in clear/);
  for (const out of [json.stdout, table.stdout]) {
    for (const s of secrets) for (let i = 0; i + 4 <= s.length; i++) expect(out).not.toContain(s.slice(i, i + 4));
  }

  const broken = run(['config'], { ESKIZ_EMAIL: 'ops@example.uz' });
  expect(broken.status).toBe(1);
  expect(broken.stderr).toMatch(/^uzgate: CONFIG: ESKIZ_PASSWORD is not set/);
  const nothing = run(['config']);
  expect(nothing.status).toBe(0);
  expect(nothing.stdout).toBe('No uzgate client is configured in this environment.\n');
});
