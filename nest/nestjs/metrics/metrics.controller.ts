/**
 * `GET {path}` (default `/metrics`): the Prometheus text of every uzgate client in the app
 * (all SmsService and AmoCrmService instances), merged into one exposition. Mounted by
 * `metrics: {}` on SmsModule or AmoCrmModule; mount it once.
 */
import { Controller, Get, Header, type Type } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { AmoCrmService } from '../amocrm/amocrm.service';
import { SmsService } from '../sms/sms.service';
import { mergePrometheusTexts } from './prometheus-merge';

interface MetricsSource {
  metrics(): string;
}

export function createMetricsController(path: string): Type<unknown> {
  @Controller(path)
  class UzgateMetricsController {
    constructor(private readonly moduleRef: ModuleRef) {}

    @Get()
    @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
    @Header('Cache-Control', 'no-store')
    metrics(): string {
      const sources = [...this.all(SmsService), ...this.all(AmoCrmService)];
      return mergePrometheusTexts(sources.map((s) => s.metrics()));
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
