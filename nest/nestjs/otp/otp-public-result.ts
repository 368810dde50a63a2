/**
 * What an HTTP answer may say about an OTP check. A precise reason (`not_found` vs `invalid` with
 * attempts left vs `too_many_attempts`) tells an anonymous caller whether a code is pending for a
 * number — that a login is under way, or that a guessing run is worth continuing. So every
 * failure becomes one public result; the precise reason stays in uzgate's log (masked number)
 * and in `uzgate_otp_verifications_total{result}`.
 */
import type { OtpVerifyResult } from '../../index';

/** The only failure an HTTP client sees: the code is wrong, spent, expired or never sent. */
export type OtpPublicVerifyResult = { ok: true } | { ok: false; reason: 'invalid_code' };

export function publicVerifyResult(result: OtpVerifyResult): OtpPublicVerifyResult {
  return result.ok ? { ok: true } : { ok: false, reason: 'invalid_code' };
}
