/**
 * The one list of known keys (and their kinds) of every options object and input uzgate takes.
 * Each shape is named after its interface in the generated `index.d.ts`;
 * `__test__/security/config-drift.test.ts` compares them, so an option added in Rust must be
 * added here too (the test says which key, where). Keys listed in `tsOnly` exist only in the
 * TypeScript layer.
 */
import { optional, optionalList, required, requiredList, shape } from './option-shape';

const LOG_LEVEL = optional('string');

export const ESKIZ_OPTIONS = shape('EskizOptions', {
  email: required('string'),
  password: required('string'),
  baseUrl: optional('string'),
  from: optional('string'),
  callbackUrl: optional('string'),
});

export const TWILIO_OPTIONS = shape('TwilioOptions', {
  accountSid: required('string'),
  authToken: optional('string'),
  apiKeySid: optional('string'),
  apiKeySecret: optional('string'),
  from: optional('string'),
  messagingServiceSid: optional('string'),
  statusCallback: optional('string'),
  validityPeriod: optional('count'),
  baseUrl: optional('string'),
  defaultRegion: optional('string'),
});

export const CONSOLE_OPTIONS = shape('ConsoleOptions', {
  outboxSize: optional('count'),
  defaultRegion: optional('string'),
});

/** Every store type's keys in one list (the native options are one flat object). */
export const TOKEN_STORE_OPTIONS = shape(
  'TokenStoreOptions',
  {
    type: required('string'),
    key: optional('string'),
    path: optional('string'),
    url: optional('string'),
    encryptionKey: optional('string'),
    lockLeaseMs: optional('count'),
    lockWaitMs: optional('count'),
    refreshTimeoutMs: optional('count'),
    /** `custom`: the object with `load`/`save`. */
    store: optional('object'),
  },
  { tsOnly: ['store'] },
);

const LOGGER = optional(['function', 'object']);

export const SMS_CLIENT_OPTIONS = shape(
  'SmsClientOptions',
  {
    provider: required('string'),
    eskiz: optional(ESKIZ_OPTIONS),
    twilio: optional(TWILIO_OPTIONS),
    console: optional(CONSOLE_OPTIONS),
    tokenStore: optional(TOKEN_STORE_OPTIONS),
    timeoutMs: optional('count'),
    connectTimeoutMs: optional('count'),
    maxConcurrency: optional('count'),
    maxResponseBytes: optional('count'),
    refreshMarginMs: optional('count'),
    logLevel: LOG_LEVEL,
    logger: LOGGER,
  },
  { tsOnly: ['logger'] },
);

export const AMOCRM_CLIENT_OPTIONS = shape(
  'AmoCrmClientOptions',
  {
    subdomain: optional('string'),
    domain: optional('string'),
    baseUrl: optional('string'),
    allowAnyAccount: optional('boolean'),
    clientId: required('string'),
    clientSecret: optional('string'),
    redirectUri: optional('string'),
    longLivedToken: optional('string'),
    tokenStore: optional(TOKEN_STORE_OPTIONS),
    rateLimitPerSecond: optional('number'),
    sharedRateLimit: optional('boolean'),
    timeoutMs: optional('count'),
    maxConcurrency: optional('count'),
    maxResponseBytes: optional('count'),
    refreshMarginMs: optional('count'),
    keepAliveMs: optional('number'),
    blockCooldownMs: optional('count'),
    logLevel: LOG_LEVEL,
    logger: LOGGER,
  },
  { tsOnly: ['logger'] },
);

export const OTP_STORE_OPTIONS = shape('OtpStoreOptions', {
  type: required('string'),
  url: optional('string'),
  prefix: optional('string'),
});

/** `OtpOptions` of the addon, plus the SmsClient and the logger of `OtpServiceOptions`. */
export const OTP_OPTIONS = shape(
  'OtpOptions',
  {
    length: optional('count'),
    ttlSeconds: optional('count'),
    maxAttempts: optional('count'),
    resendCooldownSeconds: optional('count'),
    maxSendsPerHour: optional('count'),
    secret: required('string'),
    template: optional('string'),
    appName: optional('string'),
    devMode: optional('boolean'),
    forceDevMode: optional('boolean'),
    defaultRegion: optional('string'),
    store: optional(OTP_STORE_OPTIONS),
    logLevel: LOG_LEVEL,
    sms: required('object'),
    logger: LOGGER,
  },
  { tsOnly: ['sms', 'logger'] },
);

// Inputs of calls: wrong types are refused naming the field; extra keys are left to the addon.

export const SEND_INPUT = shape(
  'SendInput',
  {
    to: required('string'),
    text: required('string'),
    from: optional('string'),
    callbackUrl: optional('string'),
    reference: optional('string'),
  },
  { unknownKeys: 'ignore' },
);

export const BATCH_OPTIONS = shape('BatchOptions', { dispatchId: optional('number') });

export const HISTORY_QUERY = shape(
  'HistoryQuery',
  {
    startDate: optional('string'),
    endDate: optional('string'),
    page: optional('number'),
    pageSize: optional('number'),
    status: optional('string'),
  },
  { unknownKeys: 'ignore' },
);

export const CONTACT_INPUT = shape(
  'ContactInput',
  {
    name: required('string'),
    firstName: optional('string'),
    lastName: optional('string'),
    phone: optional('string'),
    email: optional('string'),
  },
  { unknownKeys: 'ignore' },
);

export const CUSTOM_FIELD_INPUT = shape(
  'CustomFieldInput',
  { fieldId: optional('number'), fieldCode: optional('string'), values: requiredList('any') },
  { unknownKeys: 'ignore' },
);

export const LEAD_INPUT = shape(
  'LeadInput',
  {
    name: required('string'),
    price: optional('number'),
    pipelineId: optional('number'),
    statusId: optional('number'),
    responsibleUserId: optional('number'),
    contact: required(CONTACT_INPUT),
    note: optional('string'),
    tags: optionalList('string'),
    customFields: optionalList(CUSTOM_FIELD_INPUT),
  },
  { unknownKeys: 'ignore' },
);

export const LIST_LEADS_QUERY = shape(
  'ListLeadsQuery',
  { page: optional('count'), limit: optional('count'), query: optional('string'), with: optionalList('string') },
  { unknownKeys: 'ignore' },
);

export const AUTHORIZATION_URL_OPTIONS = shape('AuthorizationUrlOptions', { mode: optional('string') });

export const EXCHANGE_CODE_INPUT = shape(
  'ExchangeCodeInput',
  {
    code: optional('string'),
    error: optional('string'),
    state: optional('string'),
    expectedState: optional('string'),
    referer: optional('string'),
    fromWidget: optional('boolean'),
  },
  { unknownKeys: 'ignore' },
);

/** Every shape the drift test compares with `index.d.ts`. */
export const ALL_SHAPES = [
  ESKIZ_OPTIONS,
  TWILIO_OPTIONS,
  CONSOLE_OPTIONS,
  TOKEN_STORE_OPTIONS,
  SMS_CLIENT_OPTIONS,
  AMOCRM_CLIENT_OPTIONS,
  OTP_STORE_OPTIONS,
  OTP_OPTIONS,
  SEND_INPUT,
  BATCH_OPTIONS,
  HISTORY_QUERY,
  CONTACT_INPUT,
  CUSTOM_FIELD_INPUT,
  LEAD_INPUT,
  LIST_LEADS_QUERY,
  AUTHORIZATION_URL_OPTIONS,
  EXCHANGE_CODE_INPUT,
];
