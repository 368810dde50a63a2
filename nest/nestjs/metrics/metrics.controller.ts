/**
 * `GET {path}` (default `/metrics`): the Prometheus text of every uzgate client in the app
 * (all SmsService and AmoCrmService instances) and the process's contained callback failures,
 * merged into one exposition. Mounted by
 * `metrics: {}` on SmsModule or AmoCrmModule; mount it once. With `bearerToken`, only a scraper
 * presenting it gets the text.
 */
import { Controller, Get, Header, Headers, Res, UnauthorizedException, type Type } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { AmoCrmService } from '../amocrm/amocrm.service';
import { SmsService } from '../sms/sms.service';
import { safeEqual } from '../http/safe-equal';
import { DEFAULT_METRICS_PATH, type MetricsRouteOptions } from './metrics.options';
import { mergePrometheusTexts } from './prometheus-merge';
import { callbackFailuresMetrics } from '../../contained-callbacks';
import { checkRouteSecret } from '../config/route-secret';

/** Express's `res` and Fastify's `reply` both have `header(name, value)`. */
interface HeaderSetter {
  header(name: string, value: string): unknown;
}

interface MetricsSource {
  metrics(): string;
}

export function createMetricsController(options: MetricsRouteOptions): Type<unknown> {
  const { path = DEFAULT_METRICS_PATH, bearerToken } = options;
  checkRouteSecret('metrics.bearerToken', bearerToken);
  @Controller(path)
  class UzgateMetricsController {
    constructor(private readonly moduleRef: ModuleRef) {}

    @Get()
    @Header('Cache-Control', 'no-store')
    metrics(
      @Res({ passthrough: true }) res: HeaderSetter,
      @Headers('authorization') authorization?: string,
    ): string {
      if (bearerToken !== undefined) {
        const given = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
        if (!given || !safeEqual(given, bearerToken)) throw new UnauthorizedException('missing or wrong bearer token');
      }
      // Set here rather than by decorator, so a refusal keeps its JSON content type.
      res.header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8');
      const sources = [...this.all(SmsService), ...this.all(AmoCrmService)];
      return mergePrometheusTexts([...sources.map((s) => s.metrics()), callbackFailuresMetrics()]);
    }

    private all(type: Type<MetricsSource>): MetricsSource[] {
      try {
        const found: MetricsSource | MetricsSource[] = this.moduleRef.get(type, { strict: false, each: true });
        return Array.isArray(found) ? found : [found];
      } catch {
        return []; // that module is not in the app
      }
    }
  }
  return UzgateMetricsController;
}
