/**
 * OTP login: `send-otp` texts a code through the configured SMS provider, `verify-otp` checks
 * it. A wrong, expired or spent code is a 400, a burned one (too many guesses) or a resend
 * inside the cooldown a 429; the code itself is never in an answer (unless OTP_DEV_MODE).
 */
import { Body, Controller, HttpCode, HttpException, HttpStatus, Post } from '@nestjs/common';
import { OtpService } from 'uzgate/nestjs';
import { requiredString } from '../http/body';

@Controller('auth')
export class AuthController {
  constructor(private readonly otp: OtpService) {}

  @Post('send-otp')
  @HttpCode(HttpStatus.OK)
  async sendOtp(@Body() body: unknown) {
    const { expiresInSeconds, resendInSeconds, devCode } = await this.otp.send(requiredString(body, 'phone'));
    return devCode === undefined ? { expiresInSeconds, resendInSeconds } : { expiresInSeconds, resendInSeconds, devCode };
  }

  @Post('verify-otp')
  @HttpCode(HttpStatus.OK)
  async verifyOtp(@Body() body: unknown) {
    const result = await this.otp.verify(requiredString(body, 'phone'), requiredString(body, 'code'));
    if (!result.ok) {
      const status = result.reason === 'too_many_attempts' ? HttpStatus.TOO_MANY_REQUESTS : HttpStatus.BAD_REQUEST;
      throw new HttpException({ statusCode: status, ok: false, reason: result.reason, attemptsLeft: result.attemptsLeft }, status);
    }
    // A real app signs the user in here (session, JWT…).
    return { ok: true };
  }
}
