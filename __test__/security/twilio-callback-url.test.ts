/**
 * The URL the Twilio delivery callback checks the signature against. An attacker who can sign
 * for a host of their own (their own Twilio account's auth token is not ours, but a forged
 * `X-Forwarded-Host` would make us check a URL of their choosing) must not get a callback
 * accepted: forwarded headers count only behind a proxy Express trusts; `publicUrl` wins.
 */
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { DeliveryReport, Sandbox } from '../../nest';
import { SmsModule, type SmsCallbacksOptions } from '../../nest/nestjs';
import { sandbox } from '../helpers';
import { closeApps, startApp, twilioSignature } from '../nest-helpers';

let sb: Sandbox;
beforeAll(async () => {
  sb = await sandbox();
});
afterEach(closeApps);
afterAll(async () => {
  await sb.close();
});

const PATH = '/sms/callbacks/twilio';
const params = { MessageSid: `SM${'4'.repeat(32)}`, MessageStatus: 'delivered' };

async function app(callbacks: Omit<SmsCallbacksOptions, 'onDelivery'>, trustProxy?: unknown): Promise<{ app: INestApplication; reports: DeliveryReport[] }> {
  const account = sb.twilioAccount();
  const reports: DeliveryReport[] = [];
  const nest = await startApp(
    {
      imports: [
        SmsModule.forRoot({
          provider: 'twilio',
          twilio: { accountSid: account.accountSid, authToken: account.authToken, from: account.numbers[0], baseUrl: sb.url },
          callbacks: { ...callbacks, onDelivery: (r) => void reports.push(r) },
        }),
      ],
    },
    undefined,
    (a) => {
      if (trustProxy !== undefined) a.getHttpAdapter().getInstance().set('trust proxy', trustProxy);
    },
  );
  return { app: nest, reports };
}

/** A callback with a raw Host of `api.example.uz`, forwarded headers naming `hooks.evil.example`. */
function post(nest: INestApplication, signedUrl: string) {
  return request(nest.getHttpServer())
    .post(PATH)
    .set('Host', 'api.example.uz')
    .set('X-Forwarded-Proto', 'https')
    .set('X-Forwarded-Host', 'hooks.evil.example')
    .set('X-Twilio-Signature', twilioSignature(sb.twilioAccount().authToken, signedUrl, params))
    .type('form')
    .send(params);
}

const FORWARDED = `https://hooks.evil.example${PATH}`;
const RAW = `http://api.example.uz${PATH}`;
const PUBLIC = 'https://public.example.uz';

test('without trust proxy, forged X-Forwarded-Proto/Host are ignored: signed for them → 403; for the raw Host → 200', async () => {
  const { app: nest, reports } = await app({});
  await post(nest, FORWARDED).expect(403);
  await post(nest, `https://api.example.uz${PATH}`).expect(403);
  expect(reports).toHaveLength(0);
  await post(nest, RAW).expect(200);
  expect(reports).toHaveLength(1);
});

test('a trust proxy setting that does not cover the peer (10.0.0.1) ignores the forwarded headers too', async () => {
  const { app: nest, reports } = await app({}, '10.0.0.1');
  await post(nest, FORWARDED).expect(403);
  await post(nest, RAW).expect(200);
  expect(reports).toHaveLength(1);
});

test('with trust proxy covering the peer (loopback), the forwarded URL is the signed one', async () => {
  const { app: nest, reports } = await app({}, 'loopback');
  await post(nest, RAW).expect(403);
  await post(nest, FORWARDED).expect(200);
  expect(reports).toHaveLength(1);
});

test('publicUrl wins over forwarded headers and the raw Host, trusted proxy or not', async () => {
  for (const trust of [undefined, true]) {
    const { app: nest, reports } = await app({ publicUrl: `${PUBLIC}/` }, trust);
    await post(nest, FORWARDED).expect(403);
    await post(nest, RAW).expect(403);
    await post(nest, `${PUBLIC}${PATH}`).expect(200);
    expect(reports).toHaveLength(1);
    await closeApps();
  }
});
