/**
 * Token stores under attack: with an encryption key, a record the attacker planted (in clear,
 * copied from another key, or replayed from an older version) is refused with STORE_ERROR, left
 * byte for byte as it was, and nothing reaches the host it names; store keys carry no
 * identifier; a custom store's lock keeps 4 processes from presenting a spent refresh token; a
 * lock lease not longer than the refresh timeout is a CONFIG error.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { AmoCrmClient, type Sandbox, SmsClient } from '../../nest';
import { AMO, amo, authorize, closeAll, ESKIZ_EMAIL, ESKIZ_PASSWORD, sandbox } from '../helpers';
import { closeWorkers, spawnWorker, type Worker } from '../workers/pool';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { sharedFileStore } = require('../workers/shared-file-store');

const KEY = randomBytes(32).toString('base64');
const CLI = path.join(__dirname, '..', '..', 'bin', 'uzgate.js');

let sb: Sandbox;
let dir: string;
let file: string;
let attacker: net.Server;
let attackerPort: number;
let connections: number;
let workers: Worker[] = [];

beforeEach(async () => {
  sb = await sandbox({ amocrm: { rateLimitPerSecond: 0, accountRateLimitPerSecond: 0 } });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uzgate-sec-store-'));
  file = path.join(dir, 'tokens.json');
  connections = 0;
  attacker = net.createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerPort = (attacker.address() as net.AddressInfo).port;
});

afterEach(async () => {
  await closeWorkers(workers);
  workers = [];
  await closeAll();
  await sb.close();
  await new Promise((resolve) => attacker.close(resolve));
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The default store key of an amoCRM integration: a prefix and 16 hex digits of SHA-256. */
const amoKey = (clientId = AMO.clientId) =>
  `uzgate:amocrm:${createHash('sha256').update(clientId).digest('hex').slice(0, 16)}`;

/** A token record in clear naming the attacker's listener, with freshly minted fake tokens. */
function plantedToken() {
  return JSON.stringify({
    accessToken: randomBytes(24).toString('hex'),
    refreshToken: randomBytes(24).toString('hex'),
    expiresAtMs: Date.now() + 3_600_000,
    obtainedAtMs: Date.now(),
    meta: { baseDomain: `127.0.0.1:${attackerPort}` },
  });
}

function writeEntries(entries: Record<string, { version: number; data: string }>) {
  fs.writeFileSync(file, JSON.stringify({ format: 'uzgate-tokens/1', entries }), { mode: 0o600 });
}

function readEntries(): Record<string, { version: number; data: string }> {
  return JSON.parse(fs.readFileSync(file, 'utf8')).entries;
}

const sealedFile = () => ({ type: 'file' as const, path: file, encryptionKey: KEY });

async function expectRefusedUntouched(client: AmoCrmClient) {
  const before = fs.readFileSync(file);
  const requestsBefore = sb.stats().amocrm.requests;
  const err = await client.account().then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toMatchObject({ code: 'STORE_ERROR' });
  expect(fs.readFileSync(file).equals(before)).toBe(true);
  expect(connections).toBe(0);
  expect(sb.stats().amocrm.requests).toBe(requestsBefore);
  return err as Error;
}

test('an unsealed record planted in a file store with an encryptionKey → STORE_ERROR, untouched, 0 connections', async () => {
  writeEntries({ [amoKey()]: { version: 1, data: plantedToken() } });
  const err = await expectRefusedUntouched(amo(sb, { tokenStore: sealedFile() }));
  expect(err.message).toContain('uzgate token seal');
});

test('an unsealed record under the older default key (client id in clear) is refused the same way', async () => {
  writeEntries({ [`uzgate:amocrm:${AMO.clientId}`]: { version: 1, data: plantedToken() } });
  const err = await expectRefusedUntouched(amo(sb, { tokenStore: sealedFile() }));
  expect(err.message).not.toContain(AMO.clientId);
});

test('a sealed record copied from another key, or replayed under a newer version → STORE_ERROR', async () => {
  // A genuine record, sealed with the same encryptionKey, under another key.
  const other = amo(sb, { tokenStore: { ...sealedFile(), key: 'uzgate:amocrm:another-integration' } });
  await authorize(other, sb);
  const genuine = readEntries()['uzgate:amocrm:another-integration'];
  writeEntries({ [amoKey()]: genuine });
  await expectRefusedUntouched(amo(sb, { tokenStore: sealedFile() }));

  // The victim's own version-1 record replayed as version 2 (after a refresh spent it).
  await closeAll();
  fs.rmSync(file);
  const victim = amo(sb, { tokenStore: sealedFile() });
  await authorize(victim, sb);
  const first = readEntries()[amoKey()];
  await victim.refreshToken();
  expect(readEntries()[amoKey()].version).toBe(2);
  await closeAll();
  writeEntries({ [amoKey()]: { version: 2, data: first.data } });
  await expectRefusedUntouched(amo(sb, { tokenStore: sealedFile() }));
});

test('store keys carry no e-mail address or client id; records are sealed as enc:v2', async () => {
  const client = amo(sb, { tokenStore: sealedFile() });
  await authorize(client, sb);
  const sms = new SmsClient({
    provider: 'eskiz',
    eskiz: { email: ESKIZ_EMAIL, password: ESKIZ_PASSWORD, baseUrl: sb.url },
    tokenStore: sealedFile(),
  });
  try {
    await sms.send({ to: '+998901234567', text: 'Salom' });
  } finally {
    await sms.close();
  }
  const raw = fs.readFileSync(file, 'utf8');
  expect(raw).not.toContain(AMO.clientId);
  expect(raw).not.toContain(ESKIZ_EMAIL);
  expect(raw).not.toContain('@');
  const entries = readEntries();
  expect(Object.keys(entries).sort()).toEqual(
    [amoKey(), `uzgate:eskiz:${createHash('sha256').update(ESKIZ_EMAIL.toLowerCase()).digest('hex').slice(0, 16)}`].sort(),
  );
  for (const e of Object.values(entries)) expect(e.data).toMatch(/^enc:v2:/);
});

test('migration: `uzgate token seal` seals a plain record under the older default key; then it is used', async () => {
  // Written by an older release: in clear, under the client id.
  const old = amo(sb, { tokenStore: { type: 'file', path: file, key: `uzgate:amocrm:${AMO.clientId}` } });
  await authorize(old, sb);
  await closeAll();
  const refused = amo(sb, { tokenStore: sealedFile() });
  await expect(refused.account()).rejects.toMatchObject({ code: 'STORE_ERROR' });
  await closeAll();

  const env = {
    PATH: process.env.PATH ?? '',
    AMOCRM_CLIENT_ID: AMO.clientId,
    AMOCRM_CLIENT_SECRET: AMO.clientSecret,
    AMOCRM_REDIRECT_URI: AMO.redirectUri,
    AMOCRM_BASE_URL: sb.url,
    UZGATE_TOKEN_STORE: 'file',
    UZGATE_TOKEN_FILE: file,
    UZGATE_ENCRYPTION_KEY: KEY,
  };
  const sealed = spawnSync(process.execPath, [CLI, 'token', 'seal', '--provider', 'amocrm'], {
    env,
    encoding: 'utf8',
    timeout: 20_000,
  });
  expect(sealed.stderr).toBe('');
  expect(sealed.status).toBe(0);
  expect(sealed.stdout).toContain('moved from the older default key');
  expect(sealed.stdout).toContain('was          plain');
  expect(Object.keys(readEntries())).toEqual([amoKey()]);
  expect(readEntries()[amoKey()].data).toMatch(/^enc:v2:/);

  const again = spawnSync(process.execPath, [CLI, 'token', 'seal', '--provider', 'amocrm'], { env, encoding: 'utf8' });
  expect(again.stdout).toContain('already in the current format');

  const refreshesBefore = sb.stats().amocrm.refreshes;
  const client = amo(sb, { tokenStore: sealedFile() });
  await client.account();
  expect(client.tokenStatus()).toMatchObject({ adopted: 1, refreshes: 0 });
  expect(sb.stats().amocrm.refreshes).toBe(refreshesBefore);
});

test('without an encryptionKey a record under the older default key is adopted once and moved', async () => {
  const old = amo(sb, { tokenStore: { type: 'file', path: file, key: `uzgate:amocrm:${AMO.clientId}` } });
  await authorize(old, sb);
  await closeAll();
  const client = amo(sb, { tokenStore: { type: 'file', path: file } });
  await client.account();
  expect(client.tokenStatus()).toMatchObject({ adopted: 1, refreshes: 0, logins: 0 });
  expect(Object.keys(readEntries())).toEqual([amoKey()]);
});

test('lockLeaseMs not longer than the refresh timeout is a CONFIG error at construction', () => {
  const build = (tokenStore: object) => () =>
    new AmoCrmClient({ clientId: AMO.clientId, clientSecret: AMO.clientSecret, redirectUri: AMO.redirectUri, baseUrl: sb.url, tokenStore: { type: 'file', path: file, ...tokenStore } as never });
  for (const bad of [{ lockLeaseMs: 10_000 }, { lockLeaseMs: 5_000 }, { lockLeaseMs: 2_000, refreshTimeoutMs: 2_000 }]) {
    expect(build(bad)).toThrow(expect.objectContaining({ code: 'CONFIG', message: expect.stringContaining('lockLeaseMs') }));
  }
  expect(() =>
    new SmsClient({ provider: 'eskiz', eskiz: { email: ESKIZ_EMAIL, password: ESKIZ_PASSWORD, baseUrl: sb.url }, tokenStore: { type: 'redis', url: 'redis://127.0.0.1:1', lockLeaseMs: 9_999 } }),
  ).toThrow(expect.objectContaining({ code: 'CONFIG' }));
  const ok = build({ lockLeaseMs: 1_500, refreshTimeoutMs: 1_000 })();
  return ok.close();
});

test('a custom store needs lock and unlock together', () => {
  const store = sharedFileStore(path.join(dir, 'shared.json'), true);
  delete store.unlock;
  expect(() => amo(sb, { tokenStore: { type: 'custom', store } })).toThrow(expect.objectContaining({ code: 'CONFIG' }));
});

/** 4 processes on one custom store, 3 expiries; the sandbox's own counters. */
async function fourProcessesThreeExpiries(withLock: boolean) {
  const shared = path.join(dir, 'shared.json');
  const parent = amo(sb, { tokenStore: { type: 'custom', store: sharedFileStore(shared, withLock) } });
  await authorize(parent, sb);
  await parent.close();
  const pool = Array.from({ length: 4 }, () =>
    spawnWorker({
      clientId: AMO.clientId,
      clientSecret: AMO.clientSecret,
      redirectUri: AMO.redirectUri,
      baseUrl: sb.url,
      rateLimitPerSecond: 1000,
      sharedFileStore: { file: shared, lock: withLock },
    }),
  );
  workers.push(...pool);
  await Promise.all(pool.map((w) => w.ready));
  const errors: string[] = [];
  for (let round = 0; round < 3; round++) {
    sb.expireTokens('amocrm');
    const replies = await Promise.all(pool.map((w) => w.run(25, 5)));
    for (const r of replies) errors.push(...r.errors);
  }
  return { ...sb.stats().amocrm, errors };
}

test('custom store with lock/unlock: 4 processes × 3 expiries → exactly 3 refreshes, 0 revoked reuses', async () => {
  const s = await fourProcessesThreeExpiries(true);
  expect(s.errors).toEqual([]);
  expect(s.refreshes).toBe(3);
  expect(s.revokedReuses).toBe(0);
  expect(s.refreshFailures).toBe(0);
}, 60_000);

test('custom store without the lock (measured for contrast): spent refresh tokens are presented', async () => {
  const s = await fourProcessesThreeExpiries(false);
  console.warn(
    `custom store without lock, 4 processes × 3 expiries: refreshes ${s.refreshes}, revoked reuses ${s.revokedReuses}, errors ${s.errors.length}`,
  );
  expect(s.revokedReuses).toBeGreaterThan(0);
}, 60_000);
