/**
 * Delivery callbacks: check Twilio's signature, parse every provider's reports into one shape, and
 * keep the latest state per message without letting a late report undo a terminal one.
 */
import { callSync } from './errors';
import { native, type Native } from './native';

export type DeliveryReport = Native.DeliveryReport;
export type DeliveryStatus = 'pending' | 'delivered' | 'failed';
/** The providers whose delivery reports uzgate parses. */
export type DeliveryProvider = 'eskiz' | 'twilio' | 'playmobile';

/**
 * Validates `X-Twilio-Signature` in constant time. Accepts exactly what twilio-node's
 * `validateRequest` (form fields) and `validateRequestWithBody` (JSON body) accept: the URL with
 * and without its port, userinfo kept, as received and as normalised by `new URL()`.
 * `params`: the decoded form fields of the callback — or, for Twilio's JSON-body variant (the
 * URL carries `bodySHA256`), the raw body bytes exactly as received.
 */
export function validateTwilioSignature(
  authToken: string,
  url: string,
  params: Record<string, string | string[]> | Buffer | string,
  signature: string,
): boolean {
  if (typeof params === 'string' || Buffer.isBuffer(params)) {
    const raw = Buffer.isBuffer(params) ? params : Buffer.from(params, 'utf8');
    return native.validateTwilioJsonSignature(authToken, url, raw, signature);
  }
  return native.validateTwilioSignature(authToken, url, params, signature);
}

/**
 * `body`: the parsed JSON or form object, or the raw urlencoded string. Play Mobile may post an
 * array of reports: pass each element (an array of exactly one is accepted as it is).
 */
export function parseDeliveryReport(provider: DeliveryProvider, body: Record<string, unknown> | unknown[] | string): DeliveryReport {
  return callSync(() => native.parseDeliveryReport(provider, body));
}

/**
 * The latest delivery state per message, bounded (oldest forgotten first). `apply()` returns
 * false for a report that arrived after a terminal one.
 */
export class DeliveryTracker {
  private readonly states = new Map<string, DeliveryReport>();

  constructor(private readonly capacity = 10_000) {}

  apply(report: DeliveryReport): boolean {
    const key = `${report.provider}:${report.messageId}`;
    const previous = this.states.get(key);
    if (!native.deliveryAcceptsUpdate(previous?.status)) return false;
    this.states.delete(key);
    this.states.set(key, report);
    if (this.states.size > this.capacity) {
      this.states.delete(this.states.keys().next().value as string);
    }
    return true;
  }

  get(provider: DeliveryProvider, messageId: string): DeliveryReport | undefined {
    return this.states.get(`${provider}:${messageId}`);
  }
}
