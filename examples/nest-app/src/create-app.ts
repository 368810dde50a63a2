/** The app as both `main.ts` and the demo start it: same module, same filter, same hooks. */
import type { INestApplication, LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { UzgateExceptionFilter } from 'uzgate/nestjs';
import { AppModule } from './app.module';

export async function createApp(logger?: LoggerService | LogLevel[] | false): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule, logger === undefined ? {} : { logger });
  // uzgate errors become HTTP answers: INVALID_PHONE → 400, RATE_LIMITED → 429 + Retry-After, …
  app.useGlobalFilters(new UzgateExceptionFilter());
  // SIGTERM/SIGINT close the clients (their background token refreshers) before the process exits.
  app.enableShutdownHooks();
  return app;
}
