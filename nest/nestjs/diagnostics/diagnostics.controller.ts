/**
 * `GET {path}` (default `/uzgate/configuration`): the masked configuration view of every uzgate
 * client in the app (all SmsService, AmoCrmService and OtpService instances), for operators.
 * Mounted by `diagnostics: { … }` on SmsModule or AmoCrmModule; mount it once. Protected like
 * the amoCRM status route: the app's `guards` and/or `X-API-KEY` compared in constant time; with
 * neither the route is not there (404). The view holds no secret, but it maps your setup (hosts,
 * store, what is missing), so it stays an operator route.
 */
import { Controller, Get, Header, Headers, Req, UnauthorizedException, UseGuards, type Type } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { ConfigurationView } from '../../index';
import { AmoCrmService } from '../amocrm/amocrm.service';
import { checkRouteSecret } from '../config/route-secret';
import { routeNotFound } from '../http/not-found';
import type { HttpRequestLike } from '../http/request';
import { safeEqual } from '../http/safe-equal';
import { OtpService } from '../otp/otp.service';
import { SmsService } from '../sms/sms.service';
import { DEFAULT_DIAGNOSTICS_PATH, type DiagnosticsRouteOptions } from './diagnostics.options';

interface ConfigurationSource {
  configuration(): ConfigurationView;
}

/** The answer: one view per client, SMS first, then amoCRM, then OTP. */
export interface ConfigurationReport {
  clients: ConfigurationView[];
}

export function createDiagnosticsController(options: DiagnosticsRouteOptions): Type<unknown> {
  const { path = DEFAULT_DIAGNOSTICS_PATH, apiKey } = options;
  const guards = options.guards ?? [];
  checkRouteSecret('diagnostics.apiKey', apiKey);

  @Controller(path)
  class UzgateDiagnosticsController {
    constructor(private readonly moduleRef: ModuleRef) {}

    @Get()
    @UseGuards(...guards)
    @Header('Cache-Control', 'no-store')
    configuration(@Req() req: HttpRequestLike, @Headers('x-api-key') given?: string): ConfigurationReport {
      // Guards alone may protect it; with neither, the route is not there.
      if (!apiKey && guards.length === 0) throw routeNotFound(req, 'GET');
      if (apiKey && (!given || !safeEqual(given, apiKey))) throw new UnauthorizedException('missing or wrong X-API-KEY');
      const sources = [...this.all(SmsService), ...this.all(AmoCrmService), ...this.all(OtpService)];
      return { clients: sources.map((s) => s.configuration()) };
    }

    private all(type: Type<ConfigurationSource>): ConfigurationSource[] {
      try {
        const found: ConfigurationSource | ConfigurationSource[] = this.moduleRef.get(type, { strict: false, each: true });
        return Array.isArray(found) ? found : [found];
      } catch {
        return []; // that module is not in the app
      }
    }
  }
  return UzgateDiagnosticsController;
}
