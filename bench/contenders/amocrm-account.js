/**
 * The sandbox's default amoCRM integration (fake values the sandbox accepts) and the account
 * host its consent callback names: what every amoCRM contender authorises with.
 */
'use strict';

module.exports = {
  clientId: '4f6b1c2e-8d3a-4e7f-9b2c-5a1d0e3f7c68',
  clientSecret: 'sandbox-client-secret',
  redirectUri: 'http://127.0.0.1/amocrm/callback',
  referer: 'uzgate.amocrm.ru',
};
