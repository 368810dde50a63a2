/**
 * The injectable OtpService of `uzgate/nestjs`: uzgate's OtpService (same name in `uzgate`)
 * wired to the app's SmsService. Codes are CSPRNG-made, stored only as an HMAC, single use,
 * expiring, with bounded attempts, a resend cooldown and an hourly cap per number; routes use
 * `sendForHttp`, which counts each client IP as the framework computed it.
 */
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { OtpService as CoreOtpService, UzgateError, type ConfigurationView, type OtpSendOptions, type OtpSendResult, type OtpVerifyResult } from '../../index';
import { SmsService } from '../sms/sms.service';
import { OTP_MODULE_OPTIONS } from './otp.module-definition';
import { resolveOtpOptions, type OtpModuleOptions } from './otp.options';
import { publicVerifyResult, type OtpPublicVerifyResult } from './otp-public-result';

/** What `sendForHttp` reads of a request (Express `Request`, Fastify `FastifyRequest`): `ip`. */
export interface OtpHttpRequest {
  readonly ip?: string;
}

@Injectable()
export class OtpService implements OnModuleDestroy {
  private readonly otp: CoreOtpService;

  constructor(sms: SmsService, @Inject(OTP_MODULE_OPTIONS) options: OtpModuleOptions) {
    this.otp = new CoreOtpService({ ...resolveOtpOptions(options), sms: sms.client });
  }

  /**
   * Sends a fresh code; rejects with `RATE_LIMITED` (`details.reason`, `retryAfterMs`) when a
   * limit refuses. In an HTTP route use `sendForHttp`, which adds the per-client-IP limit.
   */
  send(phone: string, options?: OtpSendOptions): Promise<OtpSendResult> {
    return this.otp.send(phone, options);
  }

  /**
   * Sends a fresh code asked for by an HTTP request, counted against `perClientIp` under the
   * client IP the framework computed: `request.ip`, which Express derives honouring
   * `app.set('trust proxy', …)` and Fastify honouring `trustProxy`. It never reads
   * `X-Forwarded-For` itself: anyone can write that header, so reading it directly would let a
   * caller pick a fresh IP for every request. Behind a proxy, configure the framework's trust
   * proxy setting to the proxies you run.
   */
  async sendForHttp(phone: string, request: OtpHttpRequest): Promise<OtpSendResult> {
    const ip = (request as { ip?: unknown } | undefined)?.ip;
    if (typeof ip !== 'string' || ip === '') {
      throw new UzgateError('the request has no client IP (request.ip): pass the Express or Fastify request of the route', {
        code: 'INVALID_ARGUMENT',
        provider: 'otp',
      });
    }
    return this.otp.send(phone, { clientIp: ip });
  }

  /**
   * `{ ok: true }` once for the right code; otherwise `{ ok: false, reason, attemptsLeft? }`.
   * The reason tells whether a code is pending for the number: keep it out of HTTP answers and
   * use `verifyForHttp` there.
   */
  verify(phone: string, code: string): Promise<OtpVerifyResult> {
    return this.otp.verify(phone, code);
  }

  /** The service's effective configuration, every value masked. */
  configuration(): ConfigurationView {
    return this.otp.configuration();
  }

  /**
   * The same check, answered for an HTTP client: `{ ok: true }` or `{ ok: false, reason:
   * 'invalid_code' }` whatever the failure (wrong, spent, expired, never sent, too many
   * attempts), so the answer never reveals whether a code is pending for a number. The precise
   * reason is logged (masked number) and counted in `uzgate_otp_verifications_total{result}`.
   */
  async verifyForHttp(phone: string, code: string): Promise<OtpPublicVerifyResult> {
    return publicVerifyResult(await this.otp.verify(phone, code));
  }

  onModuleDestroy(): void {
    this.otp.close();
  }
}
