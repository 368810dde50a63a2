/**
 * The sandbox gateway: a local, faithful imitation of Eskiz (and, as they land, Twilio and
 * amoCRM) for tests and the demo. Point any provider's `baseUrl` at `sandbox.url`.
 */
import { call, callSync } from './errors';
import { native, type Native } from './native';

export interface SandboxOptions {
  /** 0 or absent: a free port on 127.0.0.1. */
  port?: number;
  eskiz?: EskizSandboxOptions;
  faults?: SandboxFault[];
}

export interface EskizSandboxOptions {
  email?: string;
  password?: string;
  /** Token lifetime in seconds (default 30 days). */
  tokenTtlSecs?: number;
  refreshEnabled?: boolean;
  refreshRevokesOld?: boolean;
  refreshExpiredAllowed?: boolean;
  wrongCredentialsStatus?: 400 | 401;
  blockedLogin?: boolean;
  testMode?: boolean;
  moderation?: boolean;
  autoApproveTemplates?: boolean;
  strictUserSmsId?: boolean;
  callbackForm?: boolean;
  acceptAfterMs?: number;
  deliverAfterMs?: number;
  initialBalance?: number;
  pricePerPart?: number;
  [key: string]: unknown;
}

export interface SandboxFault {
  /** Path prefix, e.g. `/message/sms/send`; every path when absent. */
  path?: string;
  method?: string;
  kind: 'latency' | 'status' | 'reset' | 'resetMidBody' | 'timeout' | 'malformed' | 'html';
  latencyMs?: number;
  status?: number;
  /** Seconds, sent as `Retry-After`. */
  retryAfter?: number;
  body?: string;
  /** `before`: the request is not processed; `after`: processed, then the answer breaks. */
  phase?: 'before' | 'after';
  /** How many requests it hits; unlimited when absent. */
  times?: number;
}

export interface EskizSandboxStats {
  logins: number;
  loginFailures: number;
  refreshes: number;
  refreshFailures: number;
  rejected401: number;
  sends: number;
  messages: number;
  batches: number;
  sendsByGeneration: Record<string, number>;
  callbacksSent: number;
  requests: number;
  [key: string]: unknown;
}

export interface SandboxStats {
  eskiz: EskizSandboxStats;
  faultsInjected: number;
  [key: string]: unknown;
}

export interface SandboxMessage {
  provider: string;
  id: string;
  to: string;
  text: string;
  from?: string;
  parts: number;
  status: string;
  [key: string]: unknown;
}

export class Sandbox {
  constructor(private readonly native: Native.Sandbox) {}

  get url(): string {
    return this.native.url;
  }

  stats(): SandboxStats {
    return callSync(() => this.native.stats() as SandboxStats);
  }

  inbox(): SandboxMessage[] {
    return callSync(() => this.native.inbox() as SandboxMessage[]);
  }

  clearInbox(): void {
    callSync(() => this.native.clearInbox());
  }

  /** Changes options while running, e.g. `{ eskiz: { refreshEnabled: false } }`. */
  configure(patch: { eskiz?: EskizSandboxOptions; [provider: string]: unknown }): void {
    callSync(() => this.native.configure(patch));
  }

  setFault(fault: SandboxFault): number {
    return callSync(() => this.native.setFault(fault));
  }

  clearFaults(): void {
    callSync(() => this.native.clearFaults());
  }

  /** Every token issued so far is expired from now on. */
  expireTokens(provider: 'eskiz' | 'amocrm' = 'eskiz'): void {
    callSync(() => this.native.expireTokens(provider));
  }

  revokeTokens(provider: 'eskiz' | 'amocrm' = 'eskiz'): void {
    callSync(() => this.native.revokeTokens(provider));
  }

  resetStats(): void {
    callSync(() => this.native.resetStats());
  }

  /** Approves every Eskiz template waiting for moderation. */
  approveTemplates(): number {
    return callSync(() => this.native.approveTemplates());
  }

  close(): Promise<void> {
    return call(() => this.native.close());
  }
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const inner = await call(() => native.startSandbox(options));
  return new Sandbox(inner);
}
