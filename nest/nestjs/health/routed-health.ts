/**
 * Health of an SmsClient with `routing`: a send goes out while any provider of its route takes
 * it, so the client is down only when every provider rests behind an open circuit breaker, or
 * when a provider given a minimum balance (`minBalance: { eskiz: 50000 }`) is below it. Each
 * provider's breaker and balance are in the answer's data, so the operator sees which one is
 * failing while the app still sends.
 */
import { UzgateError, type PolledBalance, type ProviderStatus } from '../../index';
import type { SmsService } from '../sms/sms.service';

export interface ProviderHealth {
  breaker: string;
  failuresInARow: number;
  balance?: number;
  currency?: string;
  polledAtMs?: number;
  minBalance?: number;
  error?: string;
}

export interface RoutedHealth {
  up: boolean;
  providers: Record<string, ProviderHealth>;
  /** Why it is down. */
  reason?: 'every_provider_open' | 'balance_below_minimum';
}

/** Thresholds by provider name: a number means the client's own provider. */
export function minimumsByProvider(minBalance: number | Record<string, number> | undefined, own: string): Record<string, number> {
  if (minBalance === undefined) return {};
  return typeof minBalance === 'number' ? { [own]: minBalance } : minBalance;
}

export async function routedHealth(sms: SmsService, breakers: ProviderStatus[], minimums: Record<string, number>): Promise<RoutedHealth> {
  const providers: Record<string, ProviderHealth> = {};
  for (const b of breakers) providers[b.provider] = { breaker: b.breaker, failuresInARow: b.failuresInARow };
  if (Object.keys(minimums).length > 0) await addBalances(sms, providers, minimums);
  if (breakers.every((b) => b.breaker === 'open')) return { up: false, providers, reason: 'every_provider_open' };
  const low = Object.values(providers).some((p) => p.minBalance !== undefined && (p.balance === undefined || p.balance < p.minBalance));
  return low ? { up: false, providers, reason: 'balance_below_minimum' } : { up: true, providers };
}

/** The polled balances when the client polls; otherwise one `balances()` call. */
async function addBalances(sms: SmsService, providers: Record<string, ProviderHealth>, minimums: Record<string, number>): Promise<void> {
  const polled: PolledBalance[] = sms.lastBalances();
  const read =
    polled.length > 0
      ? polled.map((p) => ({ provider: p.provider, balance: p.balance, currency: p.currency, polledAtMs: p.polledAtMs }))
      : await sms.balances().then(
          (all) => all.map((b) => ({ provider: b.provider, balance: b.balance ?? undefined, currency: b.currency ?? undefined, error: b.error?.code })),
          (e: unknown) => Object.keys(providers).map((provider) => ({ provider, error: UzgateError.from(e).code })),
        );
  for (const r of read) {
    const entry = providers[r.provider] as ProviderHealth | undefined;
    if (entry) Object.assign(entry, Object.fromEntries(Object.entries(r).filter(([k, v]) => k !== 'provider' && v !== undefined)));
  }
  for (const [provider, min] of Object.entries(minimums)) {
    const entry = providers[provider] as ProviderHealth | undefined;
    if (entry) entry.minBalance = min;
  }
}
