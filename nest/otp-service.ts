/**
 * OtpService: one-time codes by SMS. Codes come from a CSPRNG and are stored only as an HMAC;
 * a code passes once, expires, survives at most `maxAttempts` wrong guesses; sends have a
 * cooldown and an hourly cap per number. With `store: { type: 'redis' }` all of that is shared
 * by every replica.
 */
import { call, construct } from './errors';
import { OTP_OPTIONS } from './known-options';
import { toNativeLogger, type LogLevel, type UzgateLogger } from './logger';
import { native, type Native } from './native';
import { checkArgument, checkShape, required } from './option-shape';
import type { SmsClient } from './sms-client';

export type OtpSendResult = Native.OtpSendResult;
export type OtpVerifyResult = Native.OtpVerifyResult;

export interface OtpServiceOptions {
  /** The client that sends the codes. */
  sms: SmsClient;
  /** HMAC key for stored codes, at least 16 characters. Never logged. */
  secret: string;
  /** Digits per code, 4–10 (default 6). */
  length?: number;
  /** Lifetime of a code in seconds (default 300). */
  ttlSeconds?: number;
  /** Wrong guesses a code survives (default 5). */
  maxAttempts?: number;
  /** Minimum seconds between two sends to one number (default 60). */
  resendCooldownSeconds?: number;
  /** Sends per number per rolling hour (default 5). */
  maxSendsPerHour?: number;
  /** Text with `{code}` (and optionally `{app}`, `{minutes}`). */
  template?: string;
  /** Fills `{app}` of the default text "<App> tasdiqlash kodi: 123456. Kodni hech kimga bermang." */
  appName?: string;
  /** Returns `devCode` and logs it; refused with a real provider unless `forceDevMode`. */
  devMode?: boolean;
  forceDevMode?: boolean;
  /** Region of numbers written without a country code (default `UZ`). */
  defaultRegion?: string;
  store?: { type: 'memory' } | { type: 'redis'; url: string; prefix?: string };
  logger?: UzgateLogger;
  logLevel?: LogLevel;
}

export class OtpService {
  private readonly native: Native.OtpService;

  constructor(options: OtpServiceOptions) {
    checkShape(OTP_OPTIONS, options, 'CONFIG');
    const { sms, logger, ...rest } = options;
    this.native = construct(() => new native.OtpService(sms.nativeClient(), rest, toNativeLogger(logger)));
  }

  /** Sends a fresh code; rejects with `RATE_LIMITED` (`retryAfterMs`) inside the cooldown/cap. */
  send(phone: string): Promise<OtpSendResult> {
    return call(() => {
      checkArgument('phone', required('string'), phone);
      return this.native.send(phone);
    });
  }

  /** `{ ok: true }` once for the right code; otherwise `{ ok: false, reason, attemptsLeft? }`. */
  verify(phone: string, code: string): Promise<OtpVerifyResult> {
    return call(() => {
      checkArgument('phone', required('string'), phone);
      checkArgument('code', required('string'), code);
      return this.native.verify(phone, code);
    });
  }

  close(): void {
    this.native.close();
  }
}
