/**
 * uzgate's SmsClient with the Twilio provider, as an application configures it: account SID,
 * auth token, default sender, and `baseUrl` replacing `https://api.twilio.com`.
 */
'use strict';

const path = require('node:path');
const account = require('./account');

const { SmsClient } = require(path.resolve(__dirname, '..', '..', 'dist'));

async function create({ baseUrl, twilio: creds }) {
  const client = new SmsClient({
    provider: 'twilio',
    twilio: { accountSid: creds.accountSid, authToken: creds.authToken, from: creds.numbers[0], baseUrl },
  });
  const message = { to: account.to, text: account.text };
  return {
    send: () => client.send(message),
    close: () => client.close(),
  };
}

module.exports = { create, describe: () => 'uzgate SmsClient, provider twilio (napi, reqwest pool)' };
