/**
 * Terminus health indicator of the SMS provider: down when the token cannot be obtained
 * (`failed`, e.g. a wrong password) or the client is closed; optionally when the balance is
 * below a threshold. It asks the provider nothing unless `minBalance` is given, and not even then
 * when the client polls its balance (`balancePollMs`): the last polled value is read.
 * With `routing`, each provider is reported and the client is down only when no provider can
 * take a send (routed-health.ts).
 *
 *   @Get('health') @HealthCheck()
 *   check() { return this.health.check([() => this.sms.isHealthy('sms', { minBalance: 5000 })]); }
 */
import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { UzgateError } from '../../index';
import { SmsService } from '../sms/sms.service';
import { UNHEALTHY_TOKEN_STATES } from './down-states';
import { minimumsByProvider, routedHealth } from './routed-health';

export interface SmsHealthOptions {
  /**
   * Down below this balance: the last polled one with `balancePollMs`, else asked on each check.
   * A number is the client's own provider's minimum; with `routing`, a map gives one per
   * provider (`{ eskiz: 50000, twilio: 5 }`, each in its account's currency).
   */
  minBalance?: number | Record<string, number>;
}

@Injectable()
export class SmsHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly sms: SmsService,
  ) {}

  async isHealthy<const Key extends string>(key: Key, options: SmsHealthOptions = {}): Promise<HealthIndicatorResult<Key>> {
    const indicator = this.health.check(key);
    const breakers = this.sms.providerStatus();
    if (breakers) {
      const routed = await routedHealth(this.sms, breakers, minimumsByProvider(options.minBalance, this.sms.provider));
      const data = { provider: this.sms.provider, providers: routed.providers };
      return routed.up ? indicator.up(data) : indicator.down({ ...data, error: routed.reason });
    }
    if (typeof options.minBalance === 'object') {
      throw new UzgateError('minBalance by provider needs routing: give one number for the one provider', { code: 'INVALID_ARGUMENT' });
    }
    const minBalance = options.minBalance;
    const token = await this.sms.storedTokenStatus();
    const data: Record<string, unknown> = { provider: this.sms.provider };
    if (token) data.token = token.state;
    if (token && UNHEALTHY_TOKEN_STATES.has(token.state)) {
      return indicator.down({ ...data, error: token.lastError?.code ?? token.state });
    }
    if (minBalance === undefined) return indicator.up(data);
    const polled = this.sms.lastBalance();
    if (polled) {
      const { balance, polledAtMs, failuresSince } = polled;
      const reading = { ...data, balance, polledAtMs, failuresSince };
      return balance >= minBalance ? indicator.up(reading) : indicator.down({ ...reading, minBalance });
    }
    try {
      const { balance } = await this.sms.balance();
      const healthy = balance >= minBalance;
      return healthy ? indicator.up({ ...data, balance }) : indicator.down({ ...data, balance, minBalance });
    } catch (e) {
      return indicator.down({ ...data, error: UzgateError.from(e).code });
    }
  }
}
