/** Token stores seen from JS: what is persisted, encrypted at rest, and never silently reset. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Sandbox, type StoredRecord } from '../nest';
import { closeAll, eskiz, rejection, sandbox } from './helpers';

const KEY = Buffer.alloc(32, 7).toString('base64');
let sb: Sandbox;
let dir: string;

beforeEach(async () => {
  sb = await sandbox();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uzgate-store-'));
});

afterEach(async () => {
  await closeAll();
  await sb.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const send = { to: '+998901234567', text: 'Salom' };

test('file store: the token is persisted with mode 0600 and sealed when a key is set', async () => {
  const file = path.join(dir, 'tokens.json');
  const client = eskiz(sb, { tokenStore: { type: 'file', path: file, encryptionKey: KEY } });
  await client.send(send);
  const raw = fs.readFileSync(file, 'utf8');
  expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  expect(raw).not.toMatch(/eyJ/); // no JWT in clear
  const doc = JSON.parse(raw);
  const entry = Object.values(doc.entries)[0] as { version: number; data: string };
  expect(entry.version).toBe(1);
  expect(entry.data).toMatch(/^enc:v2:/);
  expect(client.tokenStatus()).toMatchObject({ store: 'file', logins: 1 });
});

test('file store: a second client started later adopts the stored token (no login)', async () => {
  const file = path.join(dir, 'tokens.json');
  const first = eskiz(sb, { tokenStore: { type: 'file', path: file } });
  await first.send(send);
  await first.close();
  const second = eskiz(sb, { tokenStore: { type: 'file', path: file } });
  await second.send(send);
  expect(sb.stats().eskiz.logins).toBe(1);
  expect(second.tokenStatus()).toMatchObject({ adopted: 1, logins: 0 });
});

test('file store: a corrupt file is a STORE_ERROR and is left untouched', async () => {
  const file = path.join(dir, 'tokens.json');
  fs.writeFileSync(file, '{ "format": "uzgate-tokens/1", "entries": { broken');
  const client = eskiz(sb, { tokenStore: { type: 'file', path: file }, timeoutMs: 3000 });
  await expect(client.send(send)).rejects.toMatchObject({ code: 'STORE_ERROR' });
  expect(fs.readFileSync(file, 'utf8')).toBe('{ "format": "uzgate-tokens/1", "entries": { broken');
  expect(sb.stats().eskiz.sends).toBe(0);
});

test('custom store: JS callbacks keep versioned, sealed records', async () => {
  const table = new Map<string, StoredRecord>();
  const saves: number[] = [];
  const client = eskiz(sb, {
    tokenStore: {
      type: 'custom',
      encryptionKey: KEY,
      store: {
        load: async (key) => table.get(key) ?? null,
        save: async (key, expectedVersion, data) => {
          saves.push(expectedVersion);
          if ((table.get(key)?.version ?? 0) !== expectedVersion) return false;
          table.set(key, { version: expectedVersion + 1, data });
          return true;
        },
      },
    },
  });
  await client.send(send);
  sb.expireTokens('eskiz');
  await client.send(send);
  expect(saves).toEqual([0, 1]);
  const [record] = [...table.values()];
  expect(record.version).toBe(2);
  expect(record.data).toMatch(/^enc:v2:/);
  expect(record.data).not.toMatch(/eyJ/);
  expect(client.tokenStatus()).toMatchObject({ store: 'custom', refreshes: 1 });
});

test('custom store: a throwing callback is a STORE_ERROR, not a crash', async () => {
  const client = eskiz(sb, {
    timeoutMs: 3000,
    tokenStore: {
      type: 'custom',
      store: {
        load: async () => {
          throw new Error('database is down');
        },
        save: async () => true,
      },
    },
  });
  const err = await rejection(client.send(send));
  expect(err).toMatchObject({ code: 'STORE_ERROR' });
  expect(err.message).toContain('database is down');
  expect(sb.stats().eskiz.logins).toBe(0);
});

test('store options are checked by the constructor', () => {
  expect(() => eskiz(sb, { tokenStore: { type: 'file' } as never })).toThrow(/path/);
  expect(() => eskiz(sb, { tokenStore: { type: 'redis' } as never })).toThrow(/url/);
  expect(() => eskiz(sb, { tokenStore: { type: 'file', path: path.join(dir, 't.json'), encryptionKey: 'short' } })).toThrow(
    /encryptionKey/,
  );
});
