/** `GET /health` (terminus): down when a provider's token cannot be had, or amoCRM needs reconnecting. */
import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { AmoCrmHealthIndicator, SmsHealthIndicator } from 'uzgate/nestjs/health';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly sms: SmsHealthIndicator,
    private readonly amo: AmoCrmHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.sms.isHealthy('sms'), () => this.amo.isHealthy('amocrm')]);
  }
}
