#!/usr/bin/env node
/**
 * `npm run demo`: starts the sandbox gateway on 127.0.0.1 and walks through what uzgate does
 * today, printing a short report. No credentials and no network beyond loopback.
 */
'use strict';

const { SmsClient, startSandbox } = require('../dist');

const UZ = '+998 90 123 45 67';
const line = (label, value) => console.log(`  ${label.padEnd(44)} ${value}`);

async function main() {
  const sandbox = await startSandbox({ eskiz: { acceptAfterMs: 50, deliverAfterMs: 150 } });
  const sms = new SmsClient({
    provider: 'eskiz',
    eskiz: { email: 'demo@uzgate.dev', password: 'sandbox-secret', baseUrl: sandbox.url },
  });
  try {
    console.log(`uzgate demo — sandbox gateway at ${sandbox.url}\n`);

    console.log('Eskiz: send, batch, status');
    const sent = await sms.send({ to: UZ, text: 'MyShop tasdiqlash kodi: 482913' });
    line('send → id / status / segments', `${sent.id.slice(0, 8)}… / ${sent.status} / ${sent.segments}`);
    const batch = await sms.sendBatch([
      { to: '+998911234567', text: 'Buyurtmangiz qabul qilindi' },
      { to: '+998931234567', text: 'Заказ принят' },
    ]);
    line('sendBatch → messages / segments', `${batch.messages.length} / ${batch.segments}`);
    await new Promise((r) => setTimeout(r, 250));
    const status = await sms.status(sent.id);
    line('status after delivery', `${status.status} (${status.rawStatus})`);
    line('balance (UZS)', (await sms.balance()).balance);

    console.log('\nToken storm: the sandbox expires the token, then 1,000 sends at once');
    sandbox.expireTokens('eskiz');
    sandbox.setFault({ path: '/message/sms/send', kind: 'latency', latencyMs: 200, times: 1000 });
    const started = Date.now();
    const results = await Promise.allSettled(
      Array.from({ length: 1000 }, (_, i) => sms.send({ to: UZ, text: `Xabar ${i}` })),
    );
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    const stats = sandbox.stats().eskiz;
    line('sends succeeded', `${ok} / 1000 in ${Date.now() - started} ms`);
    line('401s seen by the sandbox (old token)', stats.rejected401);
    line('refresh requests (PATCH /auth/refresh)', stats.refreshes);
    line('logins', stats.logins);

    console.log('\nBad input never leaves the process');
    for (const bad of [{ to: '12345', text: 'x' }, { to: UZ, text: '' }]) {
      const err = await sms.send(bad).catch((e) => e);
      line(`send(${JSON.stringify(bad)})`, err.code);
    }

    const token = sms.tokenStatus();
    console.log('\nToken status (never the token itself)');
    line('state / generation', `${token.state} / ${token.generation}`);
    line('refreshes / logins', `${token.refreshes} / ${token.logins}`);

    const healthy = ok === 1000 && stats.refreshes === 1;
    console.log(`\n${healthy ? 'OK' : 'UNEXPECTED'}: ${ok} sends, ${stats.refreshes} refresh for ${stats.rejected401} rejected requests.`);
    process.exitCode = healthy ? 0 : 1;
  } finally {
    await sms.close();
    await sandbox.close();
  }
}

main().catch((e) => {
  console.error('demo failed:', e);
  process.exit(1);
});
