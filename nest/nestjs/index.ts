/**
 * `uzgate/nestjs`: NestJS modules over uzgate's clients. Needs @nestjs/common and @nestjs/core
 * (10, 11 or 12); health indicators for @nestjs/terminus are in `uzgate/nestjs/health`.
 *
 * `OtpService` here is the injectable one (it wraps the `OtpService` of `uzgate`).
 */
export { SmsModule } from './sms/sms.module';
export type { SmsModuleAsyncOptions } from './sms/sms.module';
export { SmsService } from './sms/sms.service';
export { SMS_CLIENT, SMS_MODULE_OPTIONS } from './sms/sms.module-definition';
export type { SmsModuleOptions, SmsCallbacksOptions, SmsOptionsFactory } from './sms/sms.options';

export { AmoCrmModule } from './amocrm/amocrm.module';
export type { AmoCrmModuleAsyncOptions } from './amocrm/amocrm.module';
export { AmoCrmService } from './amocrm/amocrm.service';
export { AMOCRM_CLIENT, AMOCRM_MODULE_OPTIONS } from './amocrm/amocrm.module-definition';
export type { AmoCrmModuleOptions, AmoCrmOAuthOptions, AmoCrmOptionsFactory } from './amocrm/amocrm.options';
export { STATE_COOKIE as AMOCRM_STATE_COOKIE } from './amocrm/amocrm-oauth.controller';
export type { ExchangeBudgetOptions as AmoCrmExchangeBudgetOptions } from './amocrm/oauth-exchange-budget';
export { oauthFailureMessage as amoCrmOAuthFailureMessage } from './amocrm/oauth-failure';
export type { OAuthFailureReason as AmoCrmOAuthFailureReason } from './amocrm/oauth-failure';

export { OtpModule } from './otp/otp.module';
export type { OtpModuleAsyncOptions } from './otp/otp.module';
export { OtpService } from './otp/otp.service';
export type { OtpHttpRequest } from './otp/otp.service';
export { publicVerifyResult, type OtpPublicVerifyResult } from './otp/otp-public-result';
export { OTP_MODULE_OPTIONS } from './otp/otp.module-definition';
export type { OtpModuleOptions, OtpOptionsFactory } from './otp/otp.options';

export type { MetricsRouteOptions } from './metrics/metrics.options';
export type { DiagnosticsRouteOptions } from './diagnostics/diagnostics.options';
export type { ConfigurationReport } from './diagnostics/diagnostics.controller';
export { mergePrometheusTexts } from './metrics/prometheus-merge';

export { UzgateExceptionFilter } from './errors/uzgate-exception.filter';
export { UzgateHttpException, toHttpException } from './errors/uzgate-http-exception';
export type { UzgateErrorBody } from './errors/uzgate-http-exception';
export { HTTP_STATUS_BY_CODE, httpStatusFor } from './errors/http-status';

export { smsOptionsFromEnv, amoCrmOptionsFromEnv, otpOptionsFromEnv } from './config/env-options';
export { UZGATE_TOKEN_STORE } from './config/token-store.token';
export type { EnvSource } from './config/env-options';
