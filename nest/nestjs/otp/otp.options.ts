import type { OtpServiceOptions } from '../../index';
import { otpOptionsFromEnv } from '../config/env-options';
import { mergeDefined } from '../config/merge';
import { loggerOrDefault } from '../logger';
import { checkModuleOptions } from '../config/module-options';

/** OtpService's options without `sms`: the codes go out through the app's SmsService. */
export interface OtpModuleOptions extends Omit<OtpServiceOptions, 'sms' | 'secret'> {
  /** HMAC key of stored codes (≥ 16 characters). Without it, options come from the environment. */
  secret?: string;
}

/** For `forRootAsync({ useClass })` / `useExisting`. */
export interface OtpOptionsFactory {
  createOtpOptions(): OtpModuleOptions | Promise<OtpModuleOptions>;
}

export function resolveOtpOptions(options: OtpModuleOptions): Omit<OtpServiceOptions, 'sms'> {
  checkModuleOptions('OtpModuleOptions', 'otp', [], options);
  const complete = options.secret
    ? (options as Omit<OtpServiceOptions, 'sms'>)
    : mergeDefined(otpOptionsFromEnv(process.env), options as Partial<Omit<OtpServiceOptions, 'sms'>>);
  return { ...complete, logger: loggerOrDefault(complete.logger) };
}
