import { BadRequestException, Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { OtpService } from 'uzgate/nestjs';

@Controller('auth')
export class AuthController {
  constructor(private readonly otp: OtpService) {}

  @Post('send-otp')
  @HttpCode(200)
  async sendOtp(@Body() body: { phone: string }, @Req() request: { ip?: string }) {
    // Counted per client IP as the framework computed it (trust proxy aware).
    const { expiresInSeconds } = await this.otp.sendForHttp(body.phone, request);
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
