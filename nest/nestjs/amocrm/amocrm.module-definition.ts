import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { AmoCrmModuleOptions } from './amocrm.options';

export const {
  ConfigurableModuleClass: AmoCrmConfigurableModule,
  MODULE_OPTIONS_TOKEN: AMOCRM_MODULE_OPTIONS,
  ASYNC_OPTIONS_TYPE: AMOCRM_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<AmoCrmModuleOptions>({ moduleName: 'UzgateAmoCrm' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createAmoCrmOptions')
  .setExtras({ isGlobal: false }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();

/** The AmoCrmClient instance; `overrideProvider(AMOCRM_CLIENT)` swaps it in tests. */
export const AMOCRM_CLIENT = Symbol('uzgate:AmoCrmClient');
/** The routes mounted when the module was defined. */
export const AMOCRM_ROUTES = Symbol('uzgate:AmoCrmRoutes');
/** The OAuth controller's settings, or null when it is off. */
export const AMOCRM_OAUTH_SETTINGS = Symbol('uzgate:AmoCrmOAuthSettings');
