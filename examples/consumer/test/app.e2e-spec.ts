import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { startSandbox, type Sandbox } from 'uzgate-sandbox';
import { AppModule } from '../src/app.module';

// The sandbox's own accounts: its Eskiz login and its amoCRM integration (account `uzgate`).
const SANDBOX_ENV = {
  ESKIZ_EMAIL: 'demo@uzgate.dev',
  ESKIZ_PASSWORD: 'sandbox-secret',
  AMOCRM_CLIENT_ID: '4f6b1c2e-8d3a-4e7f-9b2c-5a1d0e3f7c68',
  AMOCRM_CLIENT_SECRET: 'sandbox-client-secret',
  AMOCRM_REDIRECT_URI: 'http://127.0.0.1/amocrm/callback',
  AMOCRM_SUBDOMAIN: 'uzgate',
  OTP_SECRET: 'consumer-e2e-otp-secret-0123456789',
};

describe('uzgate in a Nest app, against the sandbox', () => {
  let sandbox: Sandbox;
  let app: INestApplication;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    sandbox = await startSandbox();
    Object.assign(process.env, SANDBOX_ENV, { ESKIZ_BASE_URL: sandbox.url, AMOCRM_BASE_URL: sandbox.url });
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = moduleRef.createNestApplication();
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
    process.env = savedEnv;
  });

  it('sends an OTP by SMS and verifies it once', async () => {
    const phone = '+998901234567';
    await request(app.getHttpServer()).post('/auth/send-otp').send({ phone }).expect(200);

    const sms = sandbox.inbox().filter((m) => m.to === '998901234567');
    expect(sms).toHaveLength(1);
    const code = /\d{6}/.exec(sms[0].text)![0];

    await request(app.getHttpServer()).post('/auth/verify-otp').send({ phone, code }).expect(200, { ok: true });
    const again = await request(app.getHttpServer()).post('/auth/verify-otp').send({ phone, code }).expect(400);
    expect(again.body.ok).toBe(false);
  });

  it('maps uzgate errors to HTTP answers', async () => {
    const res = await request(app.getHttpServer()).post('/auth/send-otp').send({ phone: '12' }).expect(400);
    expect(res.body.code).toBe('INVALID_PHONE');
    expect(sandbox.inbox().filter((m) => m.to.endsWith('12'))).toHaveLength(0);

    const lead = await request(app.getHttpServer()).post('/leads').send({ name: 'Early', phone: '+998901112233' }).expect(502);
    expect(lead.body.code).toBe('REAUTHORIZATION_REQUIRED');
  });

  it('connects amoCRM through the consent page and creates a lead', async () => {
    // 1. The app sends the admin to amoCRM's consent page, with a state cookie.
    const authorize = await request(app.getHttpServer()).get('/amocrm/authorize').expect(302);
    const stateCookie = ([] as string[]).concat(authorize.headers['set-cookie'] ?? [])[0].split(';')[0];
    const consentUrl = new URL(authorize.headers.location);
    expect(consentUrl.origin).toBe(sandbox.url);

    // 2. The admin clicks "Allow" on the consent page.
    const page = await (await fetch(consentUrl)).text();
    const allowHref = /id="allow"[^>]*href="([^"]+)"|href="([^"]+)"[^>]*id="allow"/.exec(page)!;
    const allowUrl = new URL((allowHref[1] ?? allowHref[2]).replace(/&amp;/g, '&'), consentUrl);
    const allowed = await fetch(allowUrl, { redirect: 'manual' });
    expect(allowed.status).toBe(302);

    // 3. amoCRM sends the browser back to the app's callback, which still holds the state cookie.
    const back = new URL(allowed.headers.get('location')!);
    expect(back.pathname).toBe('/amocrm/callback');
    await request(app.getHttpServer()).get(`/amocrm/callback${back.search}`).set('Cookie', stateCookie).expect(200);

    // 4. Connected: leads go to the account.
    const created = await request(app.getHttpServer()).post('/leads').send({ name: 'Aziza', phone: '+998901112233' }).expect(201);
    expect(created.body.leadId).toEqual(expect.any(Number));
    const leads = sandbox.amocrmLeads();
    expect(leads).toHaveLength(1);
    expect(leads[0].name).toBe('Website: Aziza');
  });
});
