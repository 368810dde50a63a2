/**
 * The example app: OTP logins by SMS, leads pushed to amoCRM, a page to connect amoCRM, health
 * and metrics. Every setting comes from the environment (see `.env.example` in this folder for the
 * variables), read through ConfigService.
 */
import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { AmoCrmModule, OtpModule, SmsModule, amoCrmOptionsFromEnv } from 'uzgate/nestjs';
import { AmoCrmHealthIndicator, SmsHealthIndicator } from 'uzgate/nestjs/health';
import { AuthController } from './auth/auth.controller';
import { HealthController } from './health/health.controller';
import { HomeController } from './home/home.controller';
import { LeadsController } from './leads/leads.controller';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    // SMS_PROVIDER, ESKIZ_* / TWILIO_*, UZGATE_TOKEN_*; also mounts GET /metrics for every uzgate client.
    SmsModule.forRootAsync({ isGlobal: true, inject: [ConfigService], metrics: true }),
    // AMOCRM_*, UZGATE_TOKEN_*, plus the OAuth routes: /amocrm/authorize, /amocrm/callback and
    // /amocrm/status (only when ADMIN_API_KEY is set). Both outcomes of the consent come back to
    // the home page, which shows the state (and `?error=` on failure).
    AmoCrmModule.forRootAsync({
      isGlobal: true,
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        ...amoCrmOptionsFromEnv(config),
        oauth: { apiKey: config.get<string>('ADMIN_API_KEY') },
      }),
      oauth: { successRedirect: '/', failureRedirect: '/' },
    }),
    // OTP_SECRET, OTP_APP_NAME, OTP_DEV_MODE; codes go out through the SmsModule above.
    OtpModule.forRootAsync({ inject: [ConfigService] }),
    TerminusModule,
  ],
  controllers: [HomeController, AuthController, LeadsController, HealthController],
  providers: [SmsHealthIndicator, AmoCrmHealthIndicator],
})
export class AppModule {}
