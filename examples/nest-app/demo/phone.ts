/** The user's phone in the demo is the sandbox's inbox: what the "provider" delivered. */
import type { Sandbox } from 'uzgate';

const digits = (phone: string) => phone.replace(/\D/g, '');

/** The text of the last SMS sent to `phone`, if any. */
export function lastSmsTo(sandbox: Sandbox, phone: string): string | undefined {
  const wanted = digits(phone);
  return sandbox
    .inbox()
    .filter((m) => digits(m.to) === wanted)
    .at(-1)?.text;
}

/** The one-time code in an SMS text. */
export function codeIn(text: string): string | undefined {
  return /\b(\d{4,10})\b/.exec(text)?.[1];
}
