/**
 * A replica of an OtpService sharing a Redis store. argv[2]: JSON { store, secret, limits?, alerts? }.
 * IPC: { cmd: 'verify', phone, code, times } → { ok, outcomes }; { cmd: 'send', phone, times }
 * → { ok, codes } (each send's error code, or 'sent'); { cmd: 'close' }.
 */
'use strict';

const { OtpService, SmsClient } = require('../../dist');

const { store, secret, limits, alerts } = JSON.parse(process.argv[2]);
const sms = new SmsClient({ provider: 'console' });
const otp = new OtpService({ sms, secret, appName: 'MyShop', store, ...limits, alerts });

process.on('message', async (msg) => {
  try {
    if (msg.cmd === 'verify') {
      const outcomes = await Promise.all(
        Array.from({ length: msg.times }, () => otp.verify(msg.phone, msg.code)),
      );
      process.send({ ok: true, outcomes });
    } else if (msg.cmd === 'send') {
      const codes = [];
      for (let i = 0; i < msg.times; i++) {
        codes.push(await otp.send(msg.phone).then(() => 'sent', (e) => e.code));
      }
      process.send({ ok: true, codes });
    } else if (msg.cmd === 'close') {
      otp.close();
      await sms.close();
      process.send({ ok: true }, () => process.exit(0));
    }
  } catch (e) {
    process.send({ ok: false, error: String(e && e.stack ? e.stack : e) });
  }
});

process.send({ ok: true, ready: true });
