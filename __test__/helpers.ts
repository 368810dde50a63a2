/** Shared set-up for the Jest suites: a sandbox per suite and clients pointed at it. */
import {
  AmoCrmClient,
  SmsClient,
  startSandbox,
  type AmoCrmClientOptions,
  type LogLine,
  type Sandbox,
  type SmsClientOptions,
  UzgateError,
} from '../nest';

/** The sandbox's default Eskiz account (a fake, accepted only by the local sandbox). */
export const ESKIZ_EMAIL = 'demo@uzgate.dev';
export const ESKIZ_PASSWORD = 'sandbox-secret';

export async function sandbox(options: Parameters<typeof startSandbox>[0] = {}): Promise<Sandbox> {
  return startSandbox(options);
}

/** Closed automatically by `closeAll()`. */
const open: Array<{ close(): Promise<void> }> = [];

export function track<T extends { close(): Promise<void> }>(x: T): T {
  open.push(x);
  return x;
}

export async function closeAll(): Promise<void> {
  await Promise.all(open.splice(0).map((x) => x.close()));
}

type EskizOverrides = Omit<Partial<SmsClientOptions>, 'eskiz'> & {
  eskiz?: Partial<NonNullable<SmsClientOptions['eskiz']>>;
};

export function eskiz(sb: Sandbox, overrides: EskizOverrides = {}): SmsClient {
  const { eskiz: e, ...rest } = overrides;
  return track(
    new SmsClient({
      provider: 'eskiz',
      ...rest,
      eskiz: { email: ESKIZ_EMAIL, password: ESKIZ_PASSWORD, baseUrl: sb.url, ...e },
    }),
  );
}

/** Collects every log line a client emits. */
export function logCollector(): { lines: LogLine[]; logger: (l: LogLine) => void } {
  const lines: LogLine[] = [];
  return { lines, logger: (l) => lines.push(l) };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Log lines reach JS asynchronously: wait until `pred` holds or give up. */
export async function eventually(pred: () => boolean, timeoutMs = 2000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > until) throw new Error('condition not reached in time');
    await sleep(10);
  }
}

/** The sandbox's default amoCRM integration (fake values, accepted only by the sandbox). */
export const AMO = {
  clientId: '4f6b1c2e-8d3a-4e7f-9b2c-5a1d0e3f7c68',
  clientSecret: 'sandbox-client-secret',
  redirectUri: 'http://127.0.0.1/amocrm/callback',
  referer: 'uzgate.amocrm.ru',
};

export function amo(sb: Sandbox, overrides: Partial<AmoCrmClientOptions> = {}): AmoCrmClient {
  return track(
    new AmoCrmClient({
      clientId: AMO.clientId,
      clientSecret: AMO.clientSecret,
      redirectUri: AMO.redirectUri,
      baseUrl: sb.url,
      ...overrides,
    }),
  );
}

/** Authorises `client` as if a user approved the consent page. */
export async function authorize(client: AmoCrmClient, sb: Sandbox): Promise<void> {
  const { state } = client.authorizationUrl();
  await client.exchangeCode({ code: sb.amocrmIssueCode(), state, expectedState: state, referer: AMO.referer });
}

export function twilio(sb: Sandbox, overrides: Partial<NonNullable<SmsClientOptions['twilio']>> & Omit<Partial<SmsClientOptions>, 'twilio'> = {}): SmsClient {
  const account = sb.twilioAccount();
  const { timeoutMs, logger, ...t } = overrides as Record<string, unknown>;
  return track(
    new SmsClient({
      provider: 'twilio',
      timeoutMs: timeoutMs as number | undefined,
      logger: logger as SmsClientOptions['logger'],
      twilio: {
        accountSid: account.accountSid,
        authToken: account.authToken,
        from: account.numbers[0],
        baseUrl: sb.url,
        ...(t as object),
      },
    }),
  );
}

/** What `promise` rejected with; fails the test when it resolves or rejects with anything but an UzgateError. */
export async function rejection(promise: Promise<unknown>): Promise<UzgateError> {
  const outcome = await promise.then(
    () => 'resolved',
    (e: unknown) => e,
  );
  if (!(outcome instanceof UzgateError)) throw new Error(`expected a rejection with an UzgateError, got ${String(outcome)}`);
  return outcome;
}
