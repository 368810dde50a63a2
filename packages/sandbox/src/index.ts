/**
 * uzgate-sandbox: the sandbox gateway, a local and faithful imitation of Eskiz, Play Mobile, Twilio, amoCRM
 * and Telegram's Bot API (plus a webhook receiver) for tests and demos. Point any provider's
 * `baseUrl` at `sandbox.url`. Its controls are synchronous (`stats()`, `inbox()`,
 * `configure()`, `amocrmIssueCode()`…), called inline in tests.
 *
 * The types are uzgate's (`import type` only: nothing of uzgate is loaded from here), so a
 * sandbox from either package is the same `Sandbox`.
 */
import type {
  Sandbox as SandboxControl,
  SandboxFault,
  PlayMobileSandboxMessage,
  SandboxMessage,
  SandboxOptions,
  SandboxPatch,
  SandboxStats,
  SandboxTokenProvider,
  TelegramSandboxBotInfo,
  TelegramSandboxMessage,
  TwilioSandboxAccount,
  WebhookSandboxRequest,
} from 'uzgate';
import { guard, guardAsync } from './errors';
import { native, type Native } from './native';

export { SandboxError } from './errors';
export type {
  AmoCrmSandboxOptions,
  AmoCrmSandboxStats,
  EskizSandboxOptions,
  EskizSandboxStats,
  PlayMobileSandboxMessage,
  PlayMobileSandboxOptions,
  PlayMobileSandboxStats,
  SandboxFault,
  SandboxMessage,
  SandboxOptions,
  SandboxPatch,
  SandboxStats,
  SandboxTokenProvider,
  TelegramSandboxBot,
  TelegramSandboxBotInfo,
  TelegramSandboxChat,
  TelegramSandboxMessage,
  TelegramSandboxOptions,
  TelegramSandboxStats,
  TwilioSandboxAccount,
  TwilioSandboxOptions,
  TwilioSandboxStats,
  WebhookSandboxRequest,
  WebhookSandboxStats,
} from 'uzgate';

export class Sandbox implements SandboxControl {
  /** Made by `startSandbox()` only. */
  constructor(private readonly native: Native.Sandbox) {}

  get url(): string {
    return this.native.url;
  }

  stats(): SandboxStats {
    return guard(() => this.native.stats() as SandboxStats);
  }

  inbox(): SandboxMessage[] {
    return guard(() => this.native.inbox() as SandboxMessage[]);
  }

  clearInbox(): void {
    guard(() => {
      this.native.clearInbox();
    });
  }

  configure(patch: SandboxPatch): void {
    guard(() => {
      this.native.configure(patch);
    });
  }

  setFault(fault: SandboxFault): number {
    return guard(() => this.native.setFault(fault));
  }

  clearFaults(): void {
    guard(() => {
      this.native.clearFaults();
    });
  }

  expireTokens(provider: SandboxTokenProvider = 'eskiz'): void {
    guard(() => {
      this.native.expireTokens(provider);
    });
  }

  revokeTokens(provider: SandboxTokenProvider = 'eskiz'): void {
    guard(() => {
      this.native.revokeTokens(provider);
    });
  }

  resetStats(): void {
    guard(() => {
      this.native.resetStats();
    });
  }

  amocrmIssueCode(): string {
    return guard(() => this.native.amocrmIssueCode());
  }

  amocrmUnblock(): void {
    guard(() => {
      this.native.amocrmUnblock();
    });
  }

  amocrmLeads(): Array<Record<string, unknown>> {
    return guard(() => this.native.amocrmLeads() as Array<Record<string, unknown>>);
  }

  twilioAccount(): TwilioSandboxAccount {
    return guard(() => this.native.twilioAccount() as TwilioSandboxAccount);
  }

  approveTemplates(): number {
    return guard(() => this.native.approveTemplates());
  }

  playmobileMessages(): PlayMobileSandboxMessage[] {
    return guard(() => this.native.playmobileMessages() as PlayMobileSandboxMessage[]);
  }

  telegramBot(): TelegramSandboxBotInfo {
    return guard(() => this.native.telegramBot() as TelegramSandboxBotInfo);
  }

  telegramMessages(chatId?: number): TelegramSandboxMessage[] {
    return guard(() => this.native.telegramMessages(chatId) as TelegramSandboxMessage[]);
  }

  webhookRequests(name?: string): WebhookSandboxRequest[] {
    return guard(() => this.native.webhookRequests(name) as WebhookSandboxRequest[]);
  }

  close(): Promise<void> {
    return guardAsync(() => this.native.close());
  }
}

/** Starts a sandbox on 127.0.0.1 (`port` 0 or absent: a free port). */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const inner = await guardAsync(() => native.startSandbox(options));
  return new Sandbox(inner);
}
