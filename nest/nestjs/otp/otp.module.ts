/**
 * OtpModule: one-time codes by SMS, as the injectable OtpService. It sends through the app's
 * SmsService, so SmsModule must be global (`isGlobal: true`) or passed in `imports` of
 * forRootAsync (the same module object, not a second `SmsModule.forRoot()`, which would make a
 * second client).
 *
 *   OtpModule.forRoot({ secret: process.env.OTP_SECRET, appName: 'MyShop' })
 *   OtpModule.forRoot()                                   // OTP_SECRET, OTP_APP_NAME, OTP_DEV_MODE
 */
import { Module, type DynamicModule } from '@nestjs/common';
import { orFromEnv } from '../config/dynamic-module';
import { otpOptionsFromEnv } from '../config/env-options';
import { OTP_ASYNC_OPTIONS_TYPE, OtpConfigurableModule } from './otp.module-definition';
import type { OtpModuleOptions } from './otp.options';
import { OtpService } from './otp.service';

export type OtpModuleAsyncOptions = typeof OTP_ASYNC_OPTIONS_TYPE;

@Module({
  providers: [OtpService],
  exports: [OtpService],
})
export class OtpModule extends OtpConfigurableModule {
  /** Without options (or without `secret`), the options come from `process.env`. */
  static override forRoot(options: OtpModuleOptions & { isGlobal?: boolean } = {}): DynamicModule {
    return super.forRoot(options);
  }

  /**
   * `useFactory`/`inject`, `useClass` or `useExisting` (a class with `createOtpOptions()`).
   * With none of them, from the first `inject`ed ConfigService, else from `process.env`.
   */
  static override forRootAsync(options: OtpModuleAsyncOptions = {}): DynamicModule {
    return super.forRootAsync(orFromEnv(options, otpOptionsFromEnv));
  }
}
