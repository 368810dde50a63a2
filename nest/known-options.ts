/**
 * The known keys (and their kinds) of the inputs of calls (a message, a lead), checked before
 * the addon's converter sees them so that a wrong type names the field and never quotes the
 * value. Options are not here: the core parses them itself and refuses unknown keys. Each shape
 * is named after its interface in the generated `index.d.ts`;
 * `__test__/security/config-drift.test.ts` compares them.
 */
import { optional, optionalList, required, requiredList, shape } from './option-shape';

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
