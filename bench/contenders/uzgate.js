/**
 * uzgate: the library as an application uses it — one SmsClient, `send` per message. Token
 * handling, form encoding, response parsing and retries all happen in the Rust core.
 */
'use strict';

const path = require('node:path');
const account = require('./account');

const { SmsClient } = require(path.resolve(__dirname, '..', '..', 'dist'));

async function create({ baseUrl }) {
  const client = new SmsClient({
    provider: 'eskiz',
    eskiz: { email: account.email, password: account.password, baseUrl },
  });
  const message = { to: account.to, text: account.text };
  return {
    send: () => client.send(message),
    close: () => client.close(),
  };
}

module.exports = { create, describe: () => 'uzgate SmsClient (napi, reqwest pool)' };
