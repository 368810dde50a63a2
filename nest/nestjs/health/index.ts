/**
 * `uzgate/nestjs/health`: health indicators for @nestjs/terminus (≥ 11). A separate entry point,
 * so apps without terminus still load `uzgate/nestjs`. Add the indicators to the providers of a
 * module that imports TerminusModule and sees SmsService / AmoCrmService (global modules).
 */
export { SmsHealthIndicator } from './sms.health';
export type { SmsHealthOptions } from './sms.health';
export { AmoCrmHealthIndicator } from './amocrm.health';
export { UNHEALTHY_TOKEN_STATES } from './down-states';
