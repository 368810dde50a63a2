import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_FILTER } from '@nestjs/core';
import { AmoCrmModule, OtpModule, SmsModule, UzgateExceptionFilter } from 'uzgate/nestjs';
import { AuthController } from './auth.controller';
import { LeadsController } from './leads.controller';

// Every setting from the environment. In tests, the *_BASE_URL variables point at uzgate's
// sandbox; in production they are unset and the clients talk to Eskiz and amoCRM.
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    SmsModule.forRootAsync({
      isGlobal: true,
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        provider: 'eskiz',
        eskiz: {
          email: config.getOrThrow<string>('ESKIZ_EMAIL'),
          password: config.getOrThrow<string>('ESKIZ_PASSWORD'),
          baseUrl: config.get<string>('ESKIZ_BASE_URL'),
        },
      }),
    }),
    OtpModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({ secret: config.getOrThrow<string>('OTP_SECRET'), appName: 'Consumer' }),
    }),
    AmoCrmModule.forRootAsync({
      isGlobal: true,
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        clientId: config.getOrThrow<string>('AMOCRM_CLIENT_ID'),
        clientSecret: config.getOrThrow<string>('AMOCRM_CLIENT_SECRET'),
        redirectUri: config.getOrThrow<string>('AMOCRM_REDIRECT_URI'),
        subdomain: config.getOrThrow<string>('AMOCRM_SUBDOMAIN'),
        baseUrl: config.get<string>('AMOCRM_BASE_URL'),
      }),
      // GET /amocrm/authorize (→ consent) and GET /amocrm/callback (← consent)
      oauth: true,
    }),
  ],
  controllers: [AuthController, LeadsController],
  // uzgate errors become HTTP answers (INVALID_PHONE → 400, RATE_LIMITED → 429, …). Registered as
  // a provider, so apps built by Test.createTestingModule get it too.
  providers: [{ provide: APP_FILTER, useClass: UzgateExceptionFilter }],
})
export class AppModule {}
