/**
 * Persistence: the tokens are in an encrypted file, so a restarted app (or a second process on
 * the host) carries on with them — no new Eskiz login, no new amoCRM consent, no refresh.
 */
import * as fs from 'node:fs';
import { must, post, type DemoContext } from '../context';
import { amoCrmOnHome, LEAD } from './amocrm-connect';

export async function restart(ctx: DemoContext): Promise<void> {
  ctx.report.section('5. Restart — tokens persist in the token file');

  const file = fs.readFileSync(ctx.tokenFile, 'utf8');
  const mode = fs.statSync(ctx.tokenFile).mode & 0o777;
  // Sandbox tokens are JWTs ("eyJ…"); sealed ones must not show.
  must(ctx, mode === 0o600 && !file.includes('eyJ'), `token file: mode 0${mode.toString(8)}, tokens sealed (AES-256-GCM), none in clear`);

  const before = ctx.sandbox.stats();
  await ctx.restartApp();
  ctx.report.ok('app closed (clients closed, refreshers stopped) and started again');

  const home = amoCrmOnHome((await ctx.browser.get(`${ctx.appUrl}/`)).text);
  must(ctx, home === 'connected', `GET / → "amoCRM: ${home}", read from the token file`);

  const otp = await post(ctx, '/auth/send-otp', { phone: '+998 95 123 45 68' });
  const lead = await post(ctx, '/leads', { ...LEAD, message: 'A second request after the restart.' });
  const after = ctx.sandbox.stats();
  const fresh =
    after.eskiz.logins + after.eskiz.refreshes + after.amocrm.codeExchanges + after.amocrm.refreshes -
    (before.eskiz.logins + before.eskiz.refreshes + before.amocrm.codeExchanges + before.amocrm.refreshes);
  must(
    ctx,
    otp.page.status === 200 && lead.page.status === 201 && fresh === 0,
    `POST /auth/send-otp → ${otp.page.status}, POST /leads → ${lead.page.status}, with the stored tokens: ${fresh} logins, code exchanges or refreshes`,
  );
}
