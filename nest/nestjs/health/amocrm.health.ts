/**
 * Terminus health indicator of the amoCRM integration: down when it needs to be reconnected
 * (`reauthorization_required`), when refreshing keeps failing, or when the client is closed.
 * It reads the client's state only; amoCRM is not called.
 */
import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { AmoCrmService } from '../amocrm/amocrm.service';
import { UNHEALTHY_TOKEN_STATES } from './down-states';

@Injectable()
export class AmoCrmHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly amo: AmoCrmService,
  ) {}

  async isHealthy<const Key extends string>(key: Key): Promise<HealthIndicatorResult<Key>> {
    const indicator = this.health.check(key);
    const token = await this.amo.storedTokenStatus();
    const data = { token: token.state, expiresAt: token.expiresAt?.toISOString() ?? null };
    if (UNHEALTHY_TOKEN_STATES.has(token.state)) {
      return indicator.down({ ...data, error: token.lastError?.code ?? token.state });
    }
    return indicator.up(data);
  }
}
