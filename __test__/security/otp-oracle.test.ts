/**
 * OTP checks over HTTP are no oracle: a wrong code for a number with a pending code, any code for
 * a number without one, a spent code and a burned one (too many guesses) all get the same
 * status and the same body, so an anonymous caller cannot learn whether a login is under way.
 * The precise reasons stay in uzgate's log (masked numbers) and in metrics.
 */
import { Body, Controller, HttpCode, HttpException, HttpStatus, Post, type INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { LogLine } from '../../nest';
import { OtpModule, OtpService, SmsModule, SmsService } from '../../nest/nestjs';
import { closeApps, startApp } from '../nest-helpers';

/** The example app's verify route, on the Nest helper. */
@Controller('auth')
class VerifyController {
  constructor(private readonly otp: OtpService) {}

  @Post('verify-otp')
  @HttpCode(HttpStatus.OK)
  async verify(@Body() body: { phone: string; code: string }) {
    const result = await this.otp.verifyForHttp(body.phone, body.code);
    if (!result.ok) throw new HttpException({ statusCode: HttpStatus.BAD_REQUEST, ...result }, HttpStatus.BAD_REQUEST);
    return result;
  }
}

const PENDING = '+998901110011';
const NONE = '+998902220022';
const BURNED = '+998903330033';
const FRESH = '+998904440044';

let app: INestApplication;
let lines: LogLine[];
afterEach(closeApps);

async function start(): Promise<void> {
  lines = [];
  app = await startApp({
    imports: [
      SmsModule.forRoot({ provider: 'console', isGlobal: true }),
      OtpModule.forRoot({ secret: 'otp-test-secret-for-the-oracle', appName: 'MyShop', maxAttempts: 3, logger: (l) => void lines.push(l) }),
    ],
    controllers: [VerifyController],
  });
}

/** Sends a code and reads it from the console provider's outbox. */
async function sendCode(phone: string): Promise<string> {
  await app.get(OtpService).send(phone);
  const text = app.get(SmsService).outbox().at(-1)!.text;
  return /\d{6}/.exec(text)![0];
}

const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');
const verify = (phone: string, code: string) => request(app.getHttpServer()).post('/auth/verify-otp').send({ phone, code });

test('wrong code, no pending code, spent code, burned code: one status, one body', async () => {
  await start();
  const pending = await sendCode(PENDING);
  const burned = await sendCode(BURNED);
  const fresh = await sendCode(FRESH);

  const answers: Array<{ what: string; status: number; body: unknown }> = [];
  const record = async (what: string, phone: string, code: string) => {
    const res = await verify(phone, code);
    answers.push({ what, status: res.status, body: res.body });
  };
  await record('wrong code, code pending', PENDING, wrong(pending));
  await record('no code pending', NONE, pending);
  for (let i = 0; i < 3; i++) await record(`wrong guess ${i + 1} of 3`, BURNED, wrong(burned));
  await record('burned code, right value', BURNED, burned);
  expect((await verify(FRESH, fresh)).body).toEqual({ ok: true });
  await record('spent code', FRESH, fresh);
  await record('malformed code', PENDING, '12');

  const publicAnswer = { status: 400, body: { statusCode: 400, ok: false, reason: 'invalid_code' } };
  for (const a of answers) expect({ what: a.what, status: a.status, body: a.body }).toEqual({ what: a.what, ...publicAnswer });
  expect(answers).toHaveLength(8);
});

test('the precise reasons are in the log (masked numbers) and in metrics', async () => {
  await start();
  const pending = await sendCode(PENDING);
  await verify(PENDING, wrong(pending)).expect(400);
  await verify(NONE, '123456').expect(400);
  await verify(NONE, '123456').expect(400);
  await verify(PENDING, pending).expect(200);

  const messages = lines.map((l) => l.message);
  expect(messages).toContain('code check for +9989***0011 failed: invalid (2 attempt(s) left)');
  expect(messages.filter((m) => m === 'code check for +9989***0022 failed: not_found')).toHaveLength(2);
  expect(messages).toContain('code verified for +9989***0011');
  expect(messages.join('\n')).not.toMatch(/998901110011|998902220022/);

  const metrics = app.get(SmsService).metrics();
  expect(metrics).toContain('uzgate_otp_verifications_total{result="invalid"} 1');
  expect(metrics).toContain('uzgate_otp_verifications_total{result="not_found"} 2');
  expect(metrics).toContain('uzgate_otp_verifications_total{result="ok"} 1');
});
