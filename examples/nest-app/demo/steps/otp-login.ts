/** OTP login over HTTP: a code by SMS (read from the sandbox inbox), a wrong guess, the right one, a replay. */
import { brief, must, post, type DemoContext } from '../context';
import { codeIn, lastSmsTo } from '../phone';
import { maskCode } from '../report';

export const USER_PHONE = '+998 90 123 45 67';

export async function otpLogin(ctx: DemoContext): Promise<void> {
  ctx.report.section('1. OTP login — the code goes out by SMS through Eskiz');

  const sent = await post(ctx, '/auth/send-otp', { phone: USER_PHONE });
  must(
    ctx,
    sent.page.status === 200 && typeof sent.body.expiresInSeconds === 'number' && !('devCode' in sent.body),
    `POST /auth/send-otp → ${sent.page.status} ${brief(sent.body)} (no code in the answer)`,
  );

  const sms = lastSmsTo(ctx.sandbox, USER_PHONE) ?? '';
  const code = codeIn(sms);
  must(ctx, code !== undefined, `the phone got (sandbox inbox): "${code ? sms.replace(code, maskCode(code)) : sms}"`);
  const realCode = code;

  const wrongCode = realCode.slice(0, -1) + String((Number(realCode.at(-1)) + 1) % 10);
  const wrong = await post(ctx, '/auth/verify-otp', { phone: USER_PHONE, code: wrongCode });
  must(
    ctx,
    wrong.page.status === 400 && wrong.body.reason === 'invalid_code' && wrong.body.attemptsLeft === undefined,
    `POST /auth/verify-otp, wrong code → ${wrong.page.status} ${String(wrong.body.reason)} (nothing tells whether a code is pending)`,
  );

  const right = await post(ctx, '/auth/verify-otp', { phone: USER_PHONE, code: realCode });
  must(ctx, right.page.status === 200 && right.body.ok === true, `POST /auth/verify-otp, right code → ${right.page.status} ${brief(right.body)}`);

  const replay = await post(ctx, '/auth/verify-otp', { phone: USER_PHONE, code: realCode });
  must(
    ctx,
    replay.page.status === 400 && replay.body.ok === false && replay.body.reason === wrong.body.reason,
    `POST /auth/verify-otp, same code again → ${replay.page.status} ${String(replay.body.reason)}: a code works once, answered like a wrong one`,
  );

  const again = await post(ctx, '/auth/send-otp', { phone: USER_PHONE });
  must(
    ctx,
    again.page.status === 429 && again.body.code === 'RATE_LIMITED',
    `POST /auth/send-otp again at once → ${again.page.status} ${String(again.body.code)}, Retry-After: ${String(again.page.headers.get('retry-after'))} s`,
  );

  const sends = ctx.sandbox.stats().eskiz.sends;
  const bad = await post(ctx, '/auth/send-otp', { phone: '12345' });
  must(
    ctx,
    bad.page.status === 400 && bad.body.code === 'INVALID_PHONE' && ctx.sandbox.stats().eskiz.sends === sends,
    `POST /auth/send-otp { phone: "12345" } → ${bad.page.status} ${String(bad.body.code)}, nothing sent`,
  );
}
