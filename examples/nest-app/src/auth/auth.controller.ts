/**
 * OTP login: `send-otp` texts a code through the configured SMS provider, `verify-otp` checks
 * it. Every failed check (wrong, expired, spent, never sent, too many guesses) is the same 400
 * `{ ok: false, reason: 'invalid_code' }`, so the answer never tells whether a code is pending
 * for a number; the precise reason is in uzgate's log and metrics. A resend inside the cooldown
 * is a 429; the code itself is never in an answer (unless OTP_DEV_MODE). Sends are counted per
 * client IP as Express computed it (`request.ip`, honouring the app's `trust proxy` setting).
 */
import { Body, Controller, HttpCode, HttpException, HttpStatus, Post, Req } from '@nestjs/common';
import { OtpService } from 'uzgate/nestjs';
import { requiredString } from '../http/body';

@Controller('auth')
export class AuthController {
  constructor(private readonly otp: OtpService) {}

  @Post('send-otp')
  @HttpCode(HttpStatus.OK)
  async sendOtp(@Body() body: unknown, @Req() request: { ip?: string }) {
    const { expiresInSeconds, resendInSeconds, devCode } = await this.otp.sendForHttp(requiredString(body, 'phone'), request);
    return devCode === undefined ? { expiresInSeconds, resendInSeconds } : { expiresInSeconds, resendInSeconds, devCode };
  }

  @Post('verify-otp')
  @HttpCode(HttpStatus.OK)
  async verifyOtp(@Body() body: unknown) {
    const result = await this.otp.verifyForHttp(requiredString(body, 'phone'), requiredString(body, 'code'));
    if (!result.ok) throw new HttpException({ statusCode: HttpStatus.BAD_REQUEST, ...result }, HttpStatus.BAD_REQUEST);
    // A real app signs the user in here (session, JWT…).
    return { ok: true };
  }
}
