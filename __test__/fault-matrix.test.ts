/**
 * Every fault the sandbox can inject × every kind of operation: the promise settles within the
 * configured timeout with the documented code, the provider received each SMS/lead at most once,
 * and the token is untouched afterwards (no spurious refresh).
 */
import { type AmoCrmClient, type Sandbox, type SandboxFault, type SmsClient } from '../nest';
import { amo, authorize, closeAll, eskiz, sandbox, sleep, twilio } from './helpers';

const TIMEOUT_MS = 1500;
const UZ = '+998901234567';

/** 'ok', or the error code the operation failed with. */
type Outcome = string;

interface Op {
  name: string;
  /** Path prefix (and method) the faults target. */
  target: Pick<SandboxFault, 'path' | 'method'>;
  /** Sends or creates: never repeated once they may have been processed. */
  creates: boolean;
  run(): Promise<unknown>;
  /** How many SMS/leads the sandbox holds. */
  count(): number;
  token(): { state: string; generation: number } | null;
}

interface Fault {
  name: string;
  fault: Omit<SandboxFault, 'path' | 'method'>;
  /** Expected outcome for creating and for reading operations. */
  create: Outcome;
  read: Outcome;
}

const faults: Fault[] = [
  { name: 'latency within the timeout', fault: { kind: 'latency', latencyMs: 300 }, create: 'ok', read: 'ok' },
  { name: '500', fault: { kind: 'status', status: 500, phase: 'after' }, create: 'OUTCOME_UNKNOWN', read: 'PROVIDER_UNAVAILABLE' },
  { name: '502 HTML page', fault: { kind: 'html', status: 502, phase: 'after' }, create: 'OUTCOME_UNKNOWN', read: 'PROVIDER_UNAVAILABLE' },
  { name: '503 without Retry-After', fault: { kind: 'status', status: 503, phase: 'after' }, create: 'OUTCOME_UNKNOWN', read: 'PROVIDER_UNAVAILABLE' },
  { name: '503 with Retry-After, once', fault: { kind: 'status', status: 503, retryAfter: 1, times: 1 }, create: 'ok', read: 'ok' },
  { name: '503 with Retry-After, always', fault: { kind: 'status', status: 503, retryAfter: 1 }, create: 'PROVIDER_UNAVAILABLE', read: 'PROVIDER_UNAVAILABLE' },
  { name: 'reset mid-response', fault: { kind: 'resetMidBody', phase: 'after' }, create: 'OUTCOME_UNKNOWN', read: 'NETWORK' },
  { name: 'reset before processing', fault: { kind: 'reset' }, create: 'OUTCOME_UNKNOWN', read: 'NETWORK' },
  { name: 'read timeout', fault: { kind: 'timeout', latencyMs: 4000, phase: 'after' }, create: 'OUTCOME_UNKNOWN', read: 'TIMEOUT' },
  { name: 'malformed JSON', fault: { kind: 'malformed', phase: 'after' }, create: 'OUTCOME_UNKNOWN', read: 'PROVIDER_UNAVAILABLE' },
  { name: '429 burst', fault: { kind: 'status', status: 429, retryAfter: 1, times: 1 }, create: 'ok', read: 'ok' },
  // Retry-After beyond the call's budget: refused at once rather than waited for.
  { name: '429 always', fault: { kind: 'status', status: 429, retryAfter: 2 }, create: 'RATE_LIMITED', read: 'RATE_LIMITED' },
];

let sb: Sandbox;
let sms: SmsClient;
let tw: SmsClient;
let crm: AmoCrmClient;

beforeAll(async () => {
  sb = await sandbox({ amocrm: { rateLimitPerSecond: 0, accountRateLimitPerSecond: 0 } });
  sms = eskiz(sb, { timeoutMs: TIMEOUT_MS });
  tw = twilio(sb, { timeoutMs: TIMEOUT_MS });
  crm = amo(sb, { timeoutMs: TIMEOUT_MS, rateLimitPerSecond: 1000 });
  await authorize(crm, sb);
  await sms.balance();
});

afterAll(async () => {
  await closeAll();
  await sb.close();
});

afterEach(() => { sb.clearFaults(); });

let statusId = '';

const ops: Op[] = [
  {
    name: 'Eskiz send',
    target: { path: '/message/sms/send', method: 'POST' },
    creates: true,
    run: () => sms.send({ to: UZ, text: 'Salom' }),
    count: () => sb.stats().eskiz.messages,
    token: () => sms.tokenStatus(),
  },
  {
    name: 'Eskiz batch',
    target: { path: '/message/sms/send-batch' },
    creates: true,
    run: () => sms.sendBatch([{ to: UZ, text: 'Bir' }, { to: '+998911234567', text: 'Ikki' }]),
    count: () => sb.stats().eskiz.messages,
    token: () => sms.tokenStatus(),
  },
  {
    name: 'Eskiz status',
    target: { path: '/message/sms/status_by_id' },
    creates: false,
    run: async () => {
      statusId ||= (await sms.send({ to: UZ, text: 'status' })).id;
      return sms.status(statusId);
    },
    count: () => 0,
    token: () => sms.tokenStatus(),
  },
  {
    name: 'Twilio send',
    target: { path: '/2010-04-01/Accounts', method: 'POST' },
    creates: true,
    run: () => tw.send({ to: UZ, text: 'Salom' }),
    count: () => sb.stats().twilio.messages,
    token: () => ({ state: 'valid', generation: 0 }),
  },
  {
    name: 'amoCRM lead',
    target: { path: '/api/v4/leads/complex' },
    creates: true,
    run: () => crm.createLead({ name: 'Ariza', contact: { name: 'Aziz', phone: UZ } }),
    count: () => sb.stats().amocrm.leadsCreated,
    token: () => crm.tokenStatus(),
  },
  {
    name: 'amoCRM list',
    target: { path: '/api/v4/leads', method: 'GET' },
    creates: false,
    run: () => crm.listLeads({ limit: 5 }),
    count: () => 0,
    token: () => crm.tokenStatus(),
  },
];

const cases = ops.flatMap((op) => faults.map((f) => [op.name, f.name, op, f] as const));

test.each(cases)('%s × %s', async (_o, _f, op, f) => {
  if (op.name === 'Eskiz status') statusId ||= (await sms.send({ to: UZ, text: 'status' })).id;
  const before = { count: op.count(), token: op.token() };
  sb.setFault({ ...f.fault, ...op.target });
  const started = Date.now();
  const outcome: Outcome = await op.run().then(
    () => 'ok',
    (e: unknown) => (e as { code?: string }).code ?? String(e),
  );
  const took = Date.now() - started;
  sb.clearFaults();
  expect(outcome).toBe(op.creates ? f.create : f.read);
  // Settles within the budget (plus scheduling slack).
  expect(took).toBeLessThan(TIMEOUT_MS + 500);
  // Never more than once: a batch of two counts two messages.
  const per = op.name === 'Eskiz batch' ? 2 : 1;
  expect(op.count() - before.count).toBeLessThanOrEqual(op.creates ? per : 0);
  if (outcome === 'ok' && op.creates) expect(op.count() - before.count).toBe(per);
  // The token survived: same generation, still valid, and the next call works — once amoCRM's
  // Retry-After has passed (its limiter holds every call until then, so a block never follows).
  expect(op.token()).toMatchObject({ state: 'valid', generation: before.token!.generation });
  if (outcome === 'RATE_LIMITED' && op.name.startsWith('amoCRM')) {
    await expect(op.run()).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    await sleep(2100);
  }
  await expect(op.run()).resolves.toBeTruthy();
});

test('amoCRM 403 block: ACCESS_BLOCKED, breaker open, nothing created, token intact', async () => {
  const client = amo(sb, { timeoutMs: TIMEOUT_MS, rateLimitPerSecond: 1000 });
  await authorize(client, sb);
  const before = { leads: sb.stats().amocrm.leadsCreated, gen: client.tokenStatus().generation };
  sb.setFault({ path: '/api/v4/', kind: 'html', status: 403 });
  await expect(client.createLead({ name: 'A', contact: { name: 'B' } })).rejects.toMatchObject({ code: 'ACCESS_BLOCKED' });
  const requests = sb.stats().requests;
  await expect(client.listLeads()).rejects.toMatchObject({ code: 'ACCESS_BLOCKED' });
  expect(sb.stats().requests).toBe(requests);
  expect(sb.stats().amocrm.leadsCreated).toBe(before.leads);
  expect(client.tokenStatus()).toMatchObject({ state: 'valid', generation: before.gen });
});
