import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { OtpModuleOptions } from './otp.options';

export const {
  ConfigurableModuleClass: OtpConfigurableModule,
  MODULE_OPTIONS_TOKEN: OTP_MODULE_OPTIONS,
  ASYNC_OPTIONS_TYPE: OTP_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<OtpModuleOptions>({ moduleName: 'UzgateOtp' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createOtpOptions')
  .setExtras({ isGlobal: false }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
