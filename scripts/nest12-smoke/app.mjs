/**
 * `uzgate/nestjs` (CommonJS) inside an ESM app on NestJS 12 (ESM-only, loaded through Node's
 * require(esm)): module wiring, a send, an error code, the guarded /metrics route, a clean close.
 * Run by scripts/nest12-smoke/run.sh in a scratch project; exits non-zero on any mismatch.
 */
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SmsModule, SmsService, UzgateExceptionFilter } from 'uzgate/nestjs';

const require = createRequire(import.meta.url);
const nest = require('@nestjs/common/package.json').version;
assert.match(nest, /^12\./, `expected NestJS 12, got ${nest}`);

const token = `scrape-${Math.random().toString(36).slice(2)}`;
class AppModule {}
Module({ imports: [SmsModule.forRoot({ provider: 'console', metrics: { bearerToken: token } })] })(AppModule);

const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
app.useGlobalFilters(new UzgateExceptionFilter());
await app.listen(0, '127.0.0.1');
const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');

const sms = app.get(SmsService);
const sent = await sms.send({ to: '+998901234567', text: 'Salom' });
assert.equal(sent.status, 'delivered');
await assert.rejects(sms.send({ to: '12345', text: 'x' }), { code: 'INVALID_PHONE' });

const refused = await fetch(`${url}/metrics`);
assert.equal(refused.status, 401);
assert.match(refused.headers.get('content-type') ?? '', /^application\/json/);
const scraped = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
assert.equal(scraped.status, 200);
assert.match(await scraped.text(), /# TYPE uzgate_/);

await app.close();
console.log(`nest12-smoke: NestJS ${nest} — module, send, INVALID_PHONE, /metrics 401/200, close: ok`);
