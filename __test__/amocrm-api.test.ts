/** amoCRM v4 calls against the sandbox: leads, notes, pagination, errors, limits, blocks. */
import { type Sandbox } from '../nest';
import { amo, authorize, closeAll, rejection, sandbox } from './helpers';

let sb: Sandbox;

beforeEach(async () => {
  // The limit is exercised in its own tests; here it would only slow things down.
  sb = await sandbox({ amocrm: { rateLimitPerSecond: 0, accountRateLimitPerSecond: 0 } });
});

afterEach(async () => {
  await closeAll();
  await sb.close();
});

async function ready(overrides = {}) {
  const client = amo(sb, { rateLimitPerSecond: 1000, ...overrides });
  await authorize(client, sb);
  return client;
}

const lead = {
  name: 'Saytdan ariza',
  price: 250_000,
  contact: { name: 'Aziz Karimov', phone: '90 123 45 67', email: 'aziz@example.uz' },
  tags: ['sayt', 'landing'],
  note: 'Mijoz ertaga qo‘ng‘iroq qilishni so‘radi',
};

test('createLead: lead + contact (PHONE/EMAIL) + tags + note in the account', async () => {
  const client = await ready();
  const created = await client.createLead(lead);
  expect(created.id).toBeGreaterThan(0);
  expect(created.contactId).toBeGreaterThan(0);
  expect(created.noteId).toBeGreaterThan(0);
  expect(created.noteError).toBeFalsy();
  const [stored] = sb.amocrmLeads();
  expect(stored.id).toBe(created.id);
  expect(stored.name).toBe('Saytdan ariza');
  expect(JSON.stringify(stored)).toContain('+998901234567');
  expect(JSON.stringify(stored)).toContain('aziz@example.uz');
  expect(JSON.stringify(stored)).toContain('landing');
  expect(JSON.stringify(stored)).toContain('ertaga');
  expect(sb.stats().amocrm).toMatchObject({ leadsCreated: 1, contactsCreated: 1, notesCreated: 1 });
});

test('createLeads sends chunks of at most 50', async () => {
  const client = await ready();
  const many = Array.from({ length: 120 }, (_, i) => ({ ...lead, name: `Ariza ${i}`, note: undefined }));
  const created = await client.createLeads(many);
  expect(created).toHaveLength(120);
  expect(new Set(created.map((c) => c.id)).size).toBe(120);
  expect(sb.stats().amocrm.leadsCreated).toBe(120);
  // 3 complex requests: 50 + 50 + 20.
  expect(client.metrics()).toContain('uzgate_requests_total{provider="amocrm",endpoint="leads/complex",status="200"} 3');
});

test('validation errors come back field by field', async () => {
  const client = await ready();
  const pipelines = await client.request('GET', '/api/v4/leads/pipelines');
  const pipelineId = pipelines.body._embedded.pipelines[0].id as number;
  const err = await rejection(client.createLead({ ...lead, pipelineId, statusId: 999999 }));
  expect(err).toMatchObject({ code: 'PROVIDER_REJECTED', provider: 'amocrm', status: 400, retryable: false });
  expect(err.details).toMatchObject({
    validationErrors: expect.arrayContaining([expect.objectContaining({ path: expect.stringContaining('status_id') })]),
  });
  expect(sb.stats().amocrm.leadsCreated).toBe(0);
});

test('bad leads are refused before any request', async () => {
  const client = await ready();
  const before = sb.stats().amocrm.requests;
  const bad: Array<[object, string]> = [
    [{ ...lead, name: '' }, 'INVALID_ARGUMENT'],
    [{ ...lead, contact: { ...lead.contact, phone: '123' } }, 'INVALID_PHONE'],
    [{ ...lead, contact: { ...lead.contact, email: 'not-an-email' } }, 'INVALID_ARGUMENT'],
    [{ ...lead, statusId: 142 }, 'INVALID_ARGUMENT'],
    [{ ...lead, tags: [''] }, 'INVALID_ARGUMENT'],
    [{ ...lead, customFields: [{ values: [{ value: 1 }] }] }, 'INVALID_ARGUMENT'],
  ];
  for (const [input, code] of bad) {
    await expect(client.createLead(input as never)).rejects.toMatchObject({ code });
  }
  await expect(client.listLeads({ limit: 251 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  await expect(client.request('GET', '/oauth2/access_token')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  await expect(client.addNote(0, 'x')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  expect(sb.stats().amocrm.requests).toBe(before);
});

test('listLeads pages end in a 204 empty page; leads() walks them all', async () => {
  const client = await ready();
  await client.createLeads(Array.from({ length: 12 }, (_, i) => ({ ...lead, name: `L${i}`, note: undefined })));
  const first = await client.listLeads({ limit: 5 });
  expect(first.items).toHaveLength(5);
  expect(first.next).toMatch(/^\/api\/v4\/leads\?/);
  const names: string[] = [];
  for await (const l of client.leads({ limit: 5 })) names.push(l.name);
  expect(names).toHaveLength(12);
  expect(new Set(names).size).toBe(12);
  const empty = await client.listLeads({ page: 10, limit: 5 });
  expect(empty).toMatchObject({ page: 10, items: [] });
  expect(empty.next).toBeUndefined();
  const found = await client.listLeads({ query: 'L11' });
  expect(found.items.map((l) => l.name)).toEqual(['L11']);
});

test('addNote and request() for any v4 endpoint', async () => {
  const client = await ready();
  const { id } = await client.createLead({ ...lead, note: undefined });
  const noteId = await client.addNote(id, 'Ikkinchi eslatma');
  expect(noteId).toBeGreaterThan(0);
  const pipelines = await client.request('GET', '/api/v4/leads/pipelines');
  expect(pipelines.status).toBe(200);
  expect(pipelines.body._embedded.pipelines.length).toBeGreaterThan(0);
  const missing = await client.request('GET', '/api/v4/leads/987654321');
  expect(missing.status).toBe(204);
  expect(missing.body).toBeUndefined();
});

test('402: ACCOUNT_UNPAID', async () => {
  const client = await ready();
  sb.configure({ amocrm: { unpaid: true } });
  await expect(client.createLead(lead)).rejects.toMatchObject({ code: 'ACCOUNT_UNPAID', status: 402 });
});

test('429s are honoured; a 403 block opens the breaker: no more requests', async () => {
  sb.configure({ amocrm: { rateLimitPerSecond: 2, blockAfter: 3 } });
  const client = await ready({ rateLimitPerSecond: 1000, timeoutMs: 3000 });
  // Far above the sandbox's 2/s: the client is told to wait (retry_after), then runs out of time
  // or is blocked once the sandbox has seen enough violations.
  const results = await Promise.allSettled(Array.from({ length: 10 }, () => client.account()));
  const codes = results.map((r) => (r.status === 'rejected' ? r.reason.code : 'OK'));
  expect(codes).toEqual(expect.arrayContaining(['OK']));
  expect(sb.stats().amocrm.rateLimited).toBeGreaterThan(0);
  sb.configure({ amocrm: { rateLimitPerSecond: 0 } });
  // Force a block, then see the breaker.
  sb.setFault({ path: '/api/v4/account', kind: 'html', status: 403, times: 1 });
  await expect(client.account()).rejects.toMatchObject({ code: 'ACCESS_BLOCKED', status: 403 });
  const before = sb.stats().requests;
  await expect(client.account()).rejects.toMatchObject({ code: 'ACCESS_BLOCKED' });
  await expect(client.createLead(lead)).rejects.toMatchObject({ code: 'ACCESS_BLOCKED' });
  expect(sb.stats().requests).toBe(before);
});

test('the client limiter keeps a burst under the sandbox limit: no 429 at all', async () => {
  sb.configure({ amocrm: { rateLimitPerSecond: 10 } });
  const client = await ready({ rateLimitPerSecond: 10 });
  const started = Date.now();
  await Promise.all(Array.from({ length: 15 }, () => client.account()));
  expect(sb.stats().amocrm.rateLimited).toBe(0);
  expect(Date.now() - started).toBeGreaterThanOrEqual(1300);
  expect(client.metrics()).toContain('uzgate_rate_limit_waits_total{provider="amocrm"}');
});

test('a 429 emits rate_limited with the endpoint and the wait asked for', async () => {
  const client = await ready({ timeoutMs: 5000 });
  const events: Array<Record<string, unknown>> = [];
  client.on('rate_limited', (e) => events.push(e));
  sb.setFault({ path: '/api/v4/account', kind: 'status', status: 429, retryAfter: 1, times: 1 });
  await expect(client.account()).resolves.toBeTruthy();
  await new Promise((r) => setTimeout(r, 50));
  expect(events).toEqual([
    expect.objectContaining({ type: 'rate_limited', provider: 'amocrm', endpoint: 'account', retryAfterMs: 1000 }),
  ]);
});
