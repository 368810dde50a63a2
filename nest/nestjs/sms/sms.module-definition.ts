import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { SmsModuleOptions } from './sms.options';

export const {
  ConfigurableModuleClass: SmsConfigurableModule,
  MODULE_OPTIONS_TOKEN: SMS_MODULE_OPTIONS,
  ASYNC_OPTIONS_TYPE: SMS_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<SmsModuleOptions>({ moduleName: 'UzgateSms' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createSmsOptions')
  .setExtras({ isGlobal: false }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();

/** The SmsClient instance; `overrideProvider(SMS_CLIENT)` swaps it in tests. */
export const SMS_CLIENT = Symbol('uzgate:SmsClient');
/** The SmsClient's resolved options (environment applied, logger set). */
export const SMS_CLIENT_OPTIONS = Symbol('uzgate:SmsClientOptions');
/** The routes mounted when the module was defined. */
export const SMS_ROUTES = Symbol('uzgate:SmsRoutes');
/** The delivery-callback settings, or null when the callbacks are off. */
export const SMS_CALLBACK_SETTINGS = Symbol('uzgate:SmsCallbackSettings');
