/** Delivery-callback routes: Eskiz's secret path, Twilio's signature, body formats, and real callbacks from the sandbox. */
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import type { DeliveryReport, Sandbox } from '../nest';
import { SmsModule, SmsService, type SmsCallbacksOptions, type SmsModuleOptions } from '../nest/nestjs';
import { ESKIZ_EMAIL, ESKIZ_PASSWORD, eventually, sandbox } from './helpers';
import { CollectingLogger, closeApps, startApp, twilioSignature } from './nest-helpers';

const ESKIZ_SECRET = 'k2J9vQ7xR4mW8pL3nT6y';
const PUBLIC_URL = 'https://api.example.uz';
let sb: Sandbox;

beforeAll(async () => {
  sb = await sandbox({ eskiz: { acceptAfterMs: 10, deliverAfterMs: 40 } });
});

afterEach(closeApps);

afterAll(async () => {
  await sb.close();
});

const eskizBody = (status: string, id = 'req-1') => ({
  request_id: id,
  message_id: '4385062',
  user_sms_id: '42',
  country: 'UZ',
  phone_number: '998901234567',
  sms_count: '1',
  status,
  status_date: '2025-04-02 00:39:36',
});

function eskizOptions(callbacks: SmsCallbacksOptions): SmsModuleOptions {
  return { provider: 'eskiz', eskiz: { email: ESKIZ_EMAIL, password: ESKIZ_PASSWORD, baseUrl: sb.url }, callbacks };
}

function twilioOptions(callbacks: SmsCallbacksOptions): SmsModuleOptions {
  const account = sb.twilioAccount();
  return {
    provider: 'twilio',
    twilio: { accountSid: account.accountSid, authToken: account.authToken, from: account.numbers[0], baseUrl: sb.url },
    callbacks,
  };
}

describe('Eskiz', () => {
  let reports: DeliveryReport[];
  let app: INestApplication;

  beforeEach(async () => {
    reports = [];
    app = await startApp({ imports: [SmsModule.forRoot(eskizOptions({ eskizSecret: ESKIZ_SECRET, onDelivery: (r) => void reports.push(r) }))] });
  });

  test('right secret, JSON body: 200, the handler and the `delivery` event get the report', async () => {
    const events: DeliveryReport[] = [];
    app.get(SmsService).on('delivery', (r: DeliveryReport) => events.push(r));
    await request(app.getHttpServer()).post(`/sms/callbacks/eskiz/${ESKIZ_SECRET}`).send(eskizBody('DELIVRD')).expect(200);
    expect(reports).toEqual([expect.objectContaining({ provider: 'eskiz', messageId: 'req-1', reference: '42', status: 'delivered' })]);
    expect(events).toEqual(reports);
    expect(app.get(SmsService).deliveryStatus('eskiz', 'req-1')?.status).toBe('delivered');
  });

  test('form body', async () => {
    await request(app.getHttpServer())
      .post(`/sms/callbacks/eskiz/${ESKIZ_SECRET}`)
      .type('form')
      .send(eskizBody('UNDELIV', 'req-2'))
      .expect(200);
    expect(reports[0]).toMatchObject({ messageId: 'req-2', status: 'failed', rawStatus: 'UNDELIV' });
  });

  test('wrong secret: the same 404 as an unknown route, nothing recorded', async () => {
    const wrong = await request(app.getHttpServer()).post('/sms/callbacks/eskiz/guess').send(eskizBody('DELIVRD')).expect(404);
    expect(wrong.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'Cannot POST /sms/callbacks/eskiz/guess' });
    const unknown = await request(app.getHttpServer()).post('/sms/callbacks/nothing').send({}).expect(404);
    expect(Object.keys(unknown.body).sort()).toEqual(Object.keys(wrong.body).sort());
    await request(app.getHttpServer()).post(`/sms/callbacks/eskiz/${ESKIZ_SECRET.slice(0, -1)}`).send(eskizBody('DELIVRD')).expect(404);
    expect(reports).toEqual([]);
  });

  test('an unknown message id still gets 200; a late report after a final one is not passed on', async () => {
    const server = app.getHttpServer();
    await request(server).post(`/sms/callbacks/eskiz/${ESKIZ_SECRET}`).send(eskizBody('DELIVRD', 'never-sent')).expect(200);
    await request(server).post(`/sms/callbacks/eskiz/${ESKIZ_SECRET}`).send(eskizBody('ACCEPTED', 'never-sent')).expect(200);
    expect(reports.map((r) => r.status)).toEqual(['delivered']);
  });

  test('a body without a message id: 400 INVALID_ARGUMENT', async () => {
    const res = await request(app.getHttpServer()).post(`/sms/callbacks/eskiz/${ESKIZ_SECRET}`).send({ status: 'DELIVRD' }).expect(400);
    expect(res.body).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(reports).toEqual([]);
  });
});

test('Eskiz route without eskizSecret: 404', async () => {
  const app = await startApp({ imports: [SmsModule.forRoot(eskizOptions({}))] });
  await request(app.getHttpServer()).post('/sms/callbacks/eskiz/undefined').send(eskizBody('DELIVRD')).expect(404);
});

test('a failing handler answers 500 so the provider can retry', async () => {
  const logger = new CollectingLogger();
  const app = await startApp(
    { imports: [SmsModule.forRoot(eskizOptions({ eskizSecret: ESKIZ_SECRET, onDelivery: () => Promise.reject(new Error('db down')) }))] },
    logger,
  );
  await request(app.getHttpServer()).post(`/sms/callbacks/eskiz/${ESKIZ_SECRET}`).send(eskizBody('DELIVRD')).expect(500);
  expect(logger.lines.some((l) => l.level === 'error' && l.message.includes('db down'))).toBe(true);
});

describe('Twilio', () => {
  const params = { MessageSid: `SM${'1'.repeat(32)}`, MessageStatus: 'delivered', To: '+998901234567', AccountSid: `AC${'2'.repeat(32)}` };
  let reports: DeliveryReport[];
  let token: string;
  let app: INestApplication;

  beforeEach(async () => {
    reports = [];
    token = sb.twilioAccount().authToken;
    app = await startApp({
      imports: [SmsModule.forRoot(twilioOptions({ path: 'hooks/sms', publicUrl: `${PUBLIC_URL}/`, onDelivery: (r) => void reports.push(r) }))],
    });
  });

  const post = (signature: string | undefined, body: Record<string, string> = params, path = '/hooks/sms/twilio') => {
    const req = request(app.getHttpServer()).post(path).type('form').send(body);
    return signature === undefined ? req : req.set('X-Twilio-Signature', signature);
  };

  test('a valid signature over the public URL: 200 and the report', async () => {
    await post(twilioSignature(token, `${PUBLIC_URL}/hooks/sms/twilio`, params)).expect(200);
    expect(reports).toEqual([expect.objectContaining({ provider: 'twilio', messageId: params.MessageSid, status: 'delivered' })]);
  });

  test('the signed URL includes the query string', async () => {
    await post(twilioSignature(token, `${PUBLIC_URL}/hooks/sms/twilio?order=7`, params), params, '/hooks/sms/twilio?order=7').expect(200);
    await post(twilioSignature(token, `${PUBLIC_URL}/hooks/sms/twilio`, params), params, '/hooks/sms/twilio?order=7').expect(403);
  });

  test('wrong, missing or tampered signature: 403, nothing recorded', async () => {
    const good = twilioSignature(token, `${PUBLIC_URL}/hooks/sms/twilio`, params);
    await post(twilioSignature('0'.repeat(32), `${PUBLIC_URL}/hooks/sms/twilio`, params)).expect(403);
    await post(undefined).expect(403);
    await post('').expect(403);
    await post(good, { ...params, MessageStatus: 'failed' }).expect(403);
    await post(twilioSignature(token, 'https://evil.example/hooks/sms/twilio', params)).expect(403);
    expect(reports).toEqual([]);
  });
});

test('Twilio behind a trusted proxy without publicUrl: the URL is rebuilt from X-Forwarded-Proto/Host', async () => {
  const token = sb.twilioAccount().authToken;
  const reports: DeliveryReport[] = [];
  const app = await startApp({ imports: [SmsModule.forRoot(twilioOptions({ onDelivery: (r) => void reports.push(r) }))] }, undefined, (a) =>
    a.getHttpAdapter().getInstance().set('trust proxy', 'loopback'),
  );
  const params = { MessageSid: `SM${'3'.repeat(32)}`, MessageStatus: 'sent' };
  await request(app.getHttpServer())
    .post('/sms/callbacks/twilio')
    .set('X-Forwarded-Proto', 'https')
    .set('X-Forwarded-Host', 'hooks.example.uz')
    .set('X-Twilio-Signature', twilioSignature(token, 'https://hooks.example.uz/sms/callbacks/twilio', params))
    .type('form')
    .send(params)
    .expect(200);
  expect(reports[0]).toMatchObject({ status: 'pending', rawStatus: 'sent' });
});

/** A listening app, so the sandbox itself can post its callbacks to it. */
async function listeningApp(options: SmsModuleOptions, appOptions: { rawBody?: boolean; bodyParser?: boolean } = {}) {
  const moduleRef = await Test.createTestingModule({ imports: [SmsModule.forRoot(options)] }).compile();
  const app = moduleRef.createNestApplication(appOptions);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, url };
}

test('end to end: Eskiz posts its delivery reports (JSON, then form) to the route', async () => {
  for (const callbackForm of [false, true]) {
    sb.configure({ eskiz: { callbackForm } });
    const reports: DeliveryReport[] = [];
    const { app, url } = await listeningApp(eskizOptions({ eskizSecret: ESKIZ_SECRET, onDelivery: (r) => void reports.push(r) }));
    try {
      const sms = app.get(SmsService);
      const sent = await sms.send({ to: '+998901234567', text: 'Salom', callbackUrl: `${url}/sms/callbacks/eskiz/${ESKIZ_SECRET}` });
      await eventually(() => reports.some((r) => r.status === 'delivered'), 5000);
      expect(reports.at(-1)).toMatchObject({ provider: 'eskiz', messageId: sent.id, status: 'delivered' });
    } finally {
      await app.close();
    }
  }
  sb.configure({ eskiz: { callbackForm: false } });
});

test('end to end: Twilio posts signed status callbacks; every one passes the signature check', async () => {
  const reports: DeliveryReport[] = [];
  const { app, url } = await listeningApp(twilioOptions({ onDelivery: (r) => void reports.push(r) }), { bodyParser: false });
  try {
    const before = sb.stats().twilio;
    const sent = await app.get(SmsService).send({ to: '+998901234567', text: 'Salom', callbackUrl: `${url}/sms/callbacks/twilio?shop=7` });
    await eventually(() => reports.some((r) => r.status === 'delivered'), 5000);
    expect(reports.every((r) => r.messageId === sent.id)).toBe(true);
    expect(sb.stats().twilio.callbacksFailed).toBe(before.callbacksFailed);
  } finally {
    await app.close();
  }
});

test('end to end: Twilio JSON callbacks (bodySHA256) with rawBody', async () => {
  sb.configure({ twilio: { callbackJson: true } });
  const reports: DeliveryReport[] = [];
  const { app, url } = await listeningApp(twilioOptions({ onDelivery: (r) => void reports.push(r) }), { rawBody: true });
  try {
    const before = sb.stats().twilio;
    await app.get(SmsService).send({ to: '+998901234567', text: 'Salom', callbackUrl: `${url}/sms/callbacks/twilio` });
    await eventually(() => reports.some((r) => r.status === 'delivered'), 5000);
    expect(sb.stats().twilio.callbacksFailed).toBe(before.callbacksFailed);
  } finally {
    sb.configure({ twilio: { callbackJson: false } });
    await app.close();
  }
});

describe('Play Mobile', () => {
  const PM_SECRET = 'Hq4zT8wN2cV6bX1mK5rP';
  const PM = { login: 'shop-login', password: 'shop-password-for-tests' };
  let pm: Sandbox;

  beforeEach(async () => {
    pm = await sandbox({ playmobile: { ...PM, statusDelaysMs: { transmitted: 10, final: 40 } } });
  });

  afterEach(async () => {
    await pm.close();
  });

  function playmobileOptions(callbacks: SmsCallbacksOptions): SmsModuleOptions {
    return { provider: 'playmobile', playmobile: { ...PM, originator: '3700', baseUrl: pm.url }, callbacks };
  }

  test('end to end: the sandbox posts the reports to the route; deliveryStatus shows the final one', async () => {
    const reports: DeliveryReport[] = [];
    const { app, url } = await listeningApp(playmobileOptions({ playmobileSecret: PM_SECRET, onDelivery: (r) => void reports.push(r) }));
    try {
      pm.configure({ playmobile: { callbackUrl: `${url}/sms/callbacks/playmobile/${PM_SECRET}` } });
      const sms = app.get(SmsService);
      const sent = await sms.send({ to: '+998901234567', text: 'Salom' });
      const failed = await sms.send({ to: '+998901230001', text: 'Salom' });
      await eventually(() => reports.filter((r) => r.status !== 'pending').length === 2, 5000);
      expect(sms.deliveryStatus('playmobile', sent.id)).toMatchObject({ provider: 'playmobile', messageId: sent.id, status: 'delivered', rawStatus: 'delivered' });
      expect(sms.deliveryStatus('playmobile', failed.id)).toMatchObject({ status: 'failed', rawStatus: 'not_delivered' });
      // transmitted, then final, for each message.
      expect(reports).toHaveLength(4);
      expect(pm.stats().playmobile).toMatchObject({ callbacksSent: 4, callbacksFailed: 0 });
    } finally {
      await app.close();
    }
  });

  test('end to end: an array body with underscored keys, posted under …/status', async () => {
    const reports: DeliveryReport[] = [];
    const { app, url } = await listeningApp(playmobileOptions({ playmobileSecret: PM_SECRET, onDelivery: (r) => void reports.push(r) }));
    try {
      pm.configure({ playmobile: { callbackUrl: `${url}/sms/callbacks/playmobile/${PM_SECRET}/status`, callbackShape: 'array', callbackKeys: 'underscore', callbackTransmitted: false } });
      const sent = await app.get(SmsService).send({ to: '+998901230002', text: 'Salom' });
      await eventually(() => reports.length === 1, 5000);
      expect(reports[0]).toMatchObject({ messageId: sent.id, status: 'failed', rawStatus: 'expired' });
    } finally {
      await app.close();
    }
  });

  test('wrong or missing path secret: 404 and nothing recorded; the sandbox sees its posts fail', async () => {
    const reports: DeliveryReport[] = [];
    const { app, url } = await listeningApp(playmobileOptions({ playmobileSecret: PM_SECRET, onDelivery: (r) => void reports.push(r) }));
    try {
      const server = app.getHttpServer() as Parameters<typeof request>[0];
      const body = { 'message-id': 'Ab3dE5gH7jK9mN1pQ3sT', channel: 'sms', status: 'delivered', 'status-date': '2025-04-02 00:39:36' };
      await request(server).post(`/sms/callbacks/playmobile/${PM_SECRET.slice(0, -1)}x`).send(body).expect(404);
      await request(server).post('/sms/callbacks/playmobile').send(body).expect(404);
      pm.configure({ playmobile: { callbackUrl: `${url}/sms/callbacks/playmobile/not-the-secret-value` } });
      await app.get(SmsService).send({ to: '+998901234567', text: 'Salom' });
      await eventually(() => pm.stats().playmobile.callbacksFailed === 2, 5000);
      expect(reports).toHaveLength(0);
      expect(app.get(SmsService).deliveryStatus('playmobile', 'Ab3dE5gH7jK9mN1pQ3sT')).toBeUndefined();
      // The right secret records the same body.
      await request(server).post(`/sms/callbacks/playmobile/${PM_SECRET}`).send(body).expect(200);
      expect(reports).toEqual([expect.objectContaining({ provider: 'playmobile', messageId: 'Ab3dE5gH7jK9mN1pQ3sT', status: 'delivered', at: '2025-04-02T00:39:36.000Z' })]);
    } finally {
      await app.close();
    }
  });

  test('no playmobileSecret: the route answers 404; a short one stops startup', async () => {
    const { app } = await listeningApp(playmobileOptions({}));
    try {
      await request(app.getHttpServer() as Parameters<typeof request>[0])
        .post('/sms/callbacks/playmobile/anything-at-all-here')
        .send({ 'message-id': 'a', status: 'delivered' })
        .expect(404);
    } finally {
      await app.close();
    }
    await expect(Test.createTestingModule({ imports: [SmsModule.forRoot(playmobileOptions({ playmobileSecret: 'short' }))] }).compile()).rejects.toMatchObject({ code: 'CONFIG' });
  });
});
