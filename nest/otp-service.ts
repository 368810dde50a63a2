/**
 * OtpService: one-time codes by SMS. Codes come from a CSPRNG and are stored only as an HMAC;
 * a code passes once, expires, survives at most `maxAttempts` wrong guesses; sends have a
 * cooldown and an hourly cap per number and, against SMS pumping, limits per client IP, per
 * block of numbers and a global / per-region budget. With `store: { type: 'redis' }` all of
 * that is shared by every replica.
 */
import { splitAlerts, type AlertsOptions } from './alert-callback';
import { call, construct } from './errors';
import type { OtpOptions } from './generated/OtpOptions';
import { toNativeLogger, type UzgateLogger } from './logger';
import type { ConfigurationView } from './configuration-view';
import { native, type Native } from './native';
import { checkArgument, checkJsOptions, optional, required } from './option-shape';
import type { SmsClient } from './sms-client';

export type OtpSendResult = Native.OtpSendResult;
export type OtpVerifyResult = Native.OtpVerifyResult;

/** Who asked for a code. */
export interface OtpSendOptions {
  /**
   * The client's IP as the framework computed it (`request.ip`, which honours the app's
   * trust-proxy setting), never a header read by hand. Counted by `perClientIp`.
   */
  clientIp?: string;
}

/**
 * The core's `OtpOptions` (generated from the Rust option types, documented there), with the
 * client that sends the codes and a logger.
 */
export type OtpServiceOptions = Omit<OtpOptions, 'alerts'> & {
  /** Operator alerts when the hourly cap refuses many sends: Telegram, a webhook, a callback. */
  alerts?: AlertsOptions;
  /** The client that sends the codes. */
  sms: SmsClient;
  /** Receives uzgate's (masked) log lines: a function or a Nest `Logger`. */
  logger?: UzgateLogger;
};

export class OtpService {
  private readonly native: Native.OtpService;

  constructor(options: OtpServiceOptions) {
    checkJsOptions('OtpServiceOptions', options);
    const { sms, logger, ...rest } = options;
    checkArgument('sms', required('object'), sms, 'CONFIG');
    const { alerts, onAlert } = splitAlerts(rest.alerts);
    this.native = construct(
      () => new native.OtpService(sms.nativeClient(), { ...rest, alerts }, toNativeLogger(logger), onAlert),
    );
  }

  /**
   * Sends a fresh code; rejects with `RATE_LIMITED` (`details.reason`, `retryAfterMs`) when a
   * limit refuses, `INVALID_PHONE` outside `allowedRegions`, before any SMS is sent.
   */
  send(phone: string, options?: OtpSendOptions): Promise<OtpSendResult> {
    return call(() => {
      checkArgument('phone', required('string'), phone);
      checkArgument('options.clientIp', optional('string'), options?.clientIp);
      return this.native.send(phone, options?.clientIp === undefined ? undefined : { clientIp: options.clientIp });
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

  /** The effective configuration for operators, every value masked (see `ConfigurationView`). */
  configuration(): ConfigurationView {
    return this.native.configuration() as unknown as ConfigurationView;
  }

  close(): void {
    this.native.close();
  }
}
