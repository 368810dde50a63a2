/**
 * A second replica of an OtpService sharing a Redis store. argv[2]: JSON { store, secret }.
 * IPC: { cmd: 'verify', phone, code, times } → { ok, outcomes }; { cmd: 'close' }.
 */
'use strict';

const { OtpService, SmsClient } = require('../../dist');

const { store, secret } = JSON.parse(process.argv[2]);
const sms = new SmsClient({ provider: 'console' });
const otp = new OtpService({ sms, secret, appName: 'MyShop', store });

process.on('message', async (msg) => {
  try {
    if (msg.cmd === 'verify') {
      const outcomes = await Promise.all(
        Array.from({ length: msg.times }, () => otp.verify(msg.phone, msg.code)),
      );
      process.send({ ok: true, outcomes });
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
