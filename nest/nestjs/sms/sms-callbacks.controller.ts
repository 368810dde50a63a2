/**
 * Delivery-report webhooks, mounted by `SmsModule.forRoot({ callbacks })`:
 * - `POST {path}/eskiz/{eskizSecret}`: Eskiz does not sign callbacks, so the secret path segment
 *   is the check; a wrong one gets the same 404 as an unknown route.
 * - `POST {path}/twilio`: `X-Twilio-Signature` is verified against the public URL (`publicUrl`,
 *   or forwarded headers from a proxy Express trusts, or the raw Host); 403 otherwise.
 * - `POST {path}/playmobile/{playmobileSecret}` (and `…/status` under it): Play Mobile does not
 *   sign its reports either; the body is one JSON report or an array of them, each recorded.
 * All accept JSON and form bodies and answer 200 once the report is recorded, whether or not the
 * message id is known (providers retry on anything else).
 */
import { Controller, ForbiddenException, Headers, HttpCode, Inject, Param, Post, Req, type Type } from '@nestjs/common';
import { parseDeliveryReport, validateTwilioSignature, type DeliveryProvider, type DeliveryReport } from '../../index';
import { readCallbackBody, formFields } from '../http/callback-body';
import { routeNotFound } from '../http/not-found';
import type { HttpRequestLike } from '../http/request';
import { signedRequestUrl, type ProxyAwareRequest } from '../http/signed-url';
import { safeEqual } from '../http/safe-equal';
import { toHttpException } from '../errors/uzgate-http-exception';
import { SMS_CALLBACK_SETTINGS } from './sms.module-definition';
import type { SmsCallbacksOptions } from './sms.options';
import { SmsService } from './sms.service';

/** A controller class routed at `path` (routes are fixed per class, so one class per module). */
export function createSmsCallbacksController(path: string): Type<unknown> {
  @Controller(path)
  class SmsCallbacksController {
    constructor(
      private readonly sms: SmsService,
      @Inject(SMS_CALLBACK_SETTINGS) private readonly settings: SmsCallbacksOptions,
    ) {}

    @Post('eskiz/:secret')
    @HttpCode(200)
    async eskiz(@Param('secret') secret: string, @Req() req: HttpRequestLike): Promise<void> {
      const expected = this.settings.eskizSecret;
      if (!expected || !safeEqual(secret, expected)) throw routeNotFound(req, 'POST');
      const body = await readCallbackBody(req);
      await this.sms.recordDelivery(parse('eskiz', body.fields));
    }

    @Post(['playmobile/:secret', 'playmobile/:secret/status'])
    @HttpCode(200)
    async playmobile(@Param('secret') secret: string, @Req() req: HttpRequestLike): Promise<void> {
      const expected = this.settings.playmobileSecret;
      if (!expected || !safeEqual(secret, expected)) throw routeNotFound(req, 'POST');
      const body = await readCallbackBody(req);
      const reports = body.list ?? [body.fields];
      // Every element is parsed before any is recorded: a bad array records nothing.
      const parsed = reports.map((r) => parse('playmobile', r as Record<string, unknown>));
      for (const report of parsed) await this.sms.recordDelivery(report);
    }

    @Post('twilio')
    @HttpCode(200)
    async twilio(@Req() req: ProxyAwareRequest, @Headers('x-twilio-signature') signature?: string): Promise<void> {
      const authToken = this.settings.twilioAuthToken;
      if (!authToken) throw routeNotFound(req, 'POST');
      const body = await readCallbackBody(req);
      // Forwarded headers only from a proxy the app trusts (`trust proxy`), or the configured URL.
      const url = signedRequestUrl(req, this.settings.publicUrl);
      // Twilio's JSON variant signs the URL, which carries the body's SHA-256, not the fields.
      const jsonVariant = new URL(url).searchParams.has('bodySHA256');
      const signed = jsonVariant ? body.raw : formFields(body);
      if (!signature || !signed || !validateTwilioSignature(authToken, url, signed, signature)) {
        throw new ForbiddenException('invalid X-Twilio-Signature');
      }
      await this.sms.recordDelivery(parse('twilio', jsonVariant ? body.fields : formFields(body)));
    }
  }
  return SmsCallbacksController;
}

function parse(provider: DeliveryProvider, fields: Record<string, unknown>): DeliveryReport {
  try {
    return parseDeliveryReport(provider, fields);
  } catch (e) {
    throw toHttpException(e);
  }
}
