/**
 * The injectable OtpService of `uzgate/nestjs`: uzgate's OtpService (same name in `uzgate`)
 * wired to the app's SmsService. Codes are CSPRNG-made, stored only as an HMAC, single use,
 * expiring, with bounded attempts, a resend cooldown and an hourly cap per number.
 */
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { OtpService as CoreOtpService, type ConfigurationView, type OtpSendResult, type OtpVerifyResult } from '../../index';
import { SmsService } from '../sms/sms.service';
import { OTP_MODULE_OPTIONS } from './otp.module-definition';
import { resolveOtpOptions, type OtpModuleOptions } from './otp.options';
import { publicVerifyResult, type OtpPublicVerifyResult } from './otp-public-result';

@Injectable()
export class OtpService implements OnModuleDestroy {
  private readonly otp: CoreOtpService;

  constructor(sms: SmsService, @Inject(OTP_MODULE_OPTIONS) options: OtpModuleOptions) {
    this.otp = new CoreOtpService({ ...resolveOtpOptions(options), sms: sms.client });
  }

  /** Sends a fresh code; rejects with `RATE_LIMITED` (`retryAfterMs`) inside the cooldown or cap. */
  send(phone: string): Promise<OtpSendResult> {
    return this.otp.send(phone);
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
