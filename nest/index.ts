export { SmsClient } from './sms-client';
export type {
  SmsClientOptions,
  EskizOptions,
  TwilioOptions,
  PlayMobileOptions,
  PlayMobilePriority,
  ConsoleOptions,
  SendInput,
  SendResult,
  BatchResult,
  BatchItemResult,
  MessageStatus,
  Balance,
  PolledBalance,
  EskizUser,
  EskizTemplate,
  HistoryQuery,
  HistoryPage,
  HistoryRow,
  OutboxMessage,
  ProviderStatus,
  ProviderBalance,
} from './sms-client';
export type { RouteOptions } from './generated/RouteOptions';
export type { BreakerOptions } from './generated/BreakerOptions';
export { UzgateError, ERROR_CODES } from './errors';
export type { UzgateErrorCode, UzgateErrorFields, SendAttempt } from './errors';
export type { TokenStatus, TokenState } from './token-status';
export type {
  ConfigurationView,
  ConfigurationHost,
  ConfigurationAccount,
  ConfigurationCredential,
  ConfigurationTokenStore,
  ConfigurationLimits,
  ConfigurationOtp,
  ConfigurationAlerts,
  ConfigurationFinding,
} from './configuration-view';
export type { LogLine, LogLevel, LoggerLike, UzgateLogger } from './logger';
export { startSandbox, SANDBOX_PACKAGE } from './sandbox';
export type {
  Sandbox,
  SandboxOptions,
  SandboxPatch,
  SandboxFault,
  SandboxStats,
  SandboxTokenProvider,
  StartSandbox,
  EskizSandboxOptions,
  EskizSandboxStats,
  AmoCrmSandboxOptions,
  AmoCrmSandboxStats,
  TwilioSandboxOptions,
  TwilioSandboxStats,
  TwilioSandboxAccount,
  PlayMobileSandboxOptions,
  PlayMobileSandboxStats,
  PlayMobileSandboxMessage,
  SandboxMessage,
  TelegramSandboxOptions,
  TelegramSandboxBot,
  TelegramSandboxChat,
  TelegramSandboxBotInfo,
  TelegramSandboxMessage,
  TelegramSandboxStats,
  WebhookSandboxRequest,
  WebhookSandboxStats,
} from './sandbox-types';
export { AmoCrmClient } from './amocrm-client';
export type {
  AmoCrmClientOptions,
  LeadInput,
  ContactInput,
  CustomFieldInput,
  CreatedLead,
  Lead,
  LeadsPage,
  ListLeadsQuery,
  AmoResponse,
  AuthorizationUrl,
  ExchangeCodeInput,
} from './amocrm-client';
export type { TokenStoreOptions, CustomTokenStore, StoredRecord, SealReport } from './token-store';
export type { TokenEvent, TokenEventType } from './events';
export { callbackFailures } from './contained-callbacks';
export { addonRuntime } from './runtime-info';
export type { AddonRuntime } from './runtime-info';
export type { CallbackFailures, CallbackKind } from './contained-callbacks';
export type { Alert, AlertsOptions } from './alert-callback';
export type { DeliveryFailureAlertOptions } from './generated/DeliveryFailureAlertOptions';
export type { OtpAbuseAlertOptions } from './generated/OtpAbuseAlertOptions';
export type { OtpBudgetOptions } from './generated/OtpBudgetOptions';
export type { OtpClientIpLimitOptions } from './generated/OtpClientIpLimitOptions';
export type { OtpPrefixLimitOptions } from './generated/OtpPrefixLimitOptions';
export { OtpService } from './otp-service';
export type { OtpSendOptions, OtpServiceOptions, OtpSendResult, OtpVerifyResult } from './otp-service';
export { validateTwilioSignature, parseDeliveryReport, DeliveryTracker } from './webhooks';
export type { DeliveryReport, DeliveryStatus, DeliveryProvider } from './webhooks';
