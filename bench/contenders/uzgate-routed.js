/**
 * uzgate with routing, healthy path: Eskiz and Twilio in one SmsClient, Uzbek numbers routed
 * Eskiz first (Twilio behind it), every other region through Twilio. Every send goes out through
 * Eskiz, so against the single-provider `uzgate` contender the difference is what routing costs.
 */
'use strict';

const path = require('node:path');
const account = require('./account');

const { SmsClient } = require(path.resolve(__dirname, '..', '..', 'dist'));

async function create({ baseUrl, twilio: creds }) {
  const client = new SmsClient({
    eskiz: { email: account.email, password: account.password, baseUrl },
    twilio: { accountSid: creds.accountSid, authToken: creds.authToken, from: creds.numbers[0], baseUrl },
    routing: [
      { to: 'UZ', via: ['eskiz', 'twilio'] },
      { to: '*', via: ['twilio'] },
    ],
  });
  const message = { to: account.to, text: account.text };
  return {
    send: () => client.send(message),
    close: () => client.close(),
  };
}

module.exports = { create, describe: () => 'uzgate SmsClient with routing (Eskiz, then Twilio), healthy path' };
