/**
 * A process whose logger or event listeners throw or reject while it sends through uzgate. It
 * must finish every send and end on its own with exit code 0.
 * argv[2]: JSON { url, mode, sends, email, password }. Sends one IPC message with what happened.
 */
'use strict';

const { SmsClient, callbackFailures } = require('../../dist');
const { SmsService } = require('../../dist/nestjs');

const { url, mode, sends, email, password } = JSON.parse(process.argv[2]);

const warnings = [];
process.on('warning', (w) => warnings.push({ name: w.name, code: w.code, message: w.message }));

const fail = () => {
  throw new TypeError('callback failed');
};
const LOGGERS = {
  'a function logger that throws': fail,
  'a LoggerService whose every method throws': { log: fail, warn: fail, error: fail, debug: fail, verbose: fail },
  'an async logger that rejects': async () => fail(),
};
const LISTENERS = {
  'a token_refreshed listener that throws': fail,
  'an async token_refreshed listener that rejects': async () => fail(),
};

async function main() {
  const client = new SmsClient({
    provider: 'eskiz',
    eskiz: { email, password, baseUrl: url },
    logger: LOGGERS[mode],
    logLevel: 'debug',
  });
  // The Nest service re-emits the client's events: its listeners are contained the same way.
  const service = mode.startsWith('nest:') ? new SmsService(client, null) : undefined;
  const emitter = service ?? client;
  const listener = LISTENERS[mode.replace(/^nest: /, '')];
  let received = 0;
  if (listener) {
    emitter.on('token_refreshed', listener);
    // registered after the failing one: it must still get every event
    emitter.on('token_refreshed', () => {
      received += 1;
    });
  }
  let sent = 0;
  const errors = [];
  for (let i = 0; i < sends; i++) {
    try {
      await client.send({ to: '+998901234567', text: `hostile callbacks ${i}` });
      sent += 1;
    } catch (e) {
      errors.push(e.code);
    }
    if (i === Math.floor(sends / 2)) await client.refreshToken();
  }
  // rejections are contained a few ticks later
  await new Promise((resolve) => setTimeout(resolve, 50));
  await client.close();
  process.send({ sent, errors, received, failures: callbackFailures(), warnings }, () => process.disconnect());
}

main().catch((e) => {
  process.send({ crashed: String(e && e.stack) }, () => process.disconnect());
  process.exitCode = 1;
});
