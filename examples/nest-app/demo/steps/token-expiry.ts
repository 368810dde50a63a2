/**
 * The sandbox expires every token behind the app's back; a burst of OTP sends and leads then
 * hits 401s together, and each provider's token must be refreshed exactly once.
 */
import { must, post, type DemoContext } from '../context';

const PHONES = ['+998 91 234 56 78', '+998 93 345 67 89', '+998 94 456 78 91'];
const LEADS = [
  { name: 'Jasur Toshmatov', phone: '+998 97 111 22 33', message: 'Wholesale prices?' },
  { name: 'Madina Yusupova', phone: '+998 99 444 55 66', email: 'madina@example.uz' },
  { name: 'Bekzod Aliyev', phone: '+998 88 777 88 99', message: 'Delivery to Samarkand?' },
];

const requests = (n: number) => (n === 1 ? '1 request' : `${n} requests`);

export async function tokenExpiry(ctx: DemoContext): Promise<void> {
  ctx.report.section('3. Forced token expiry — each token refreshed once');

  const before = ctx.sandbox.stats();
  ctx.sandbox.expireTokens('eskiz');
  ctx.sandbox.expireTokens('amocrm');
  ctx.report.ok('the sandbox expired every Eskiz and amoCRM token issued so far (the app is not told)');

  const answers = await Promise.all([
    ...PHONES.map((phone) => post(ctx, '/auth/send-otp', { phone })),
    ...LEADS.map((lead) => post(ctx, '/leads', lead)),
  ]);
  const statuses = answers.map((a) => a.page.status);
  must(
    ctx,
    statuses.every((s, i) => s === (i < PHONES.length ? 200 : 201)),
    `${PHONES.length} × POST /auth/send-otp and ${LEADS.length} × POST /leads at once → ${statuses.join(' ')}`,
  );

  const after = ctx.sandbox.stats();
  const eskiz = {
    rejected: after.eskiz.rejected401 - before.eskiz.rejected401,
    refreshes: after.eskiz.refreshes - before.eskiz.refreshes,
    logins: after.eskiz.logins - before.eskiz.logins,
  };
  must(
    ctx,
    eskiz.refreshes === 1 && eskiz.logins === 0 && eskiz.rejected > 0,
    `Eskiz: ${requests(eskiz.rejected)} refused with 401 → ${eskiz.refreshes} refresh (PATCH /auth/refresh), ${eskiz.logins} logins`,
  );

  const amo = {
    rejected: after.amocrm.rejected401 - before.amocrm.rejected401,
    refreshes: after.amocrm.refreshes - before.amocrm.refreshes,
    failures: after.amocrm.refreshFailures - before.amocrm.refreshFailures,
  };
  must(
    ctx,
    amo.refreshes === 1 && amo.failures === 0 && amo.rejected > 0,
    `amoCRM: ${requests(amo.rejected)} refused with 401 → ${amo.refreshes} refresh, its single-use refresh token spent once`,
  );
}
