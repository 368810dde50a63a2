import { BadRequestException, Body, Controller, HttpCode, Post } from '@nestjs/common';
import { OtpService } from 'uzgate/nestjs';

@Controller('auth')
export class AuthController {
  constructor(private readonly otp: OtpService) {}

  @Post('send-otp')
  @HttpCode(200)
  async sendOtp(@Body() body: { phone: string }) {
    const { expiresInSeconds } = await this.otp.send(body.phone);
    return { expiresInSeconds };
  }

  @Post('verify-otp')
  @HttpCode(200)
  async verifyOtp(@Body() body: { phone: string; code: string }) {
    const result = await this.otp.verify(body.phone, body.code);
    if (!result.ok) throw new BadRequestException({ ok: false, reason: result.reason });
    return { ok: true };
  }
}
