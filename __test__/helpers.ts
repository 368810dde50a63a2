/** Shared set-up for the Jest suites: a sandbox per suite and clients pointed at it. */
import { SmsClient, startSandbox, type Sandbox, type SmsClientOptions, type LogLine } from '../nest';

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
