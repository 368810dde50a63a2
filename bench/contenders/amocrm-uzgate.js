/**
 * uzgate's AmoCrmClient as an application runs it in each of several processes: the tokens in
 * a shared store (`file` or `redis`), the library's own rate limiter, `account()` per call.
 */
'use strict';

const path = require('node:path');
const amo = require('./amocrm-account');

const { AmoCrmClient } = require(path.resolve(__dirname, '..', '..', 'dist'));

async function create({ baseUrl, store, rateLimitPerSecond, sharedRateLimit }) {
  const client = new AmoCrmClient({
    clientId: amo.clientId,
    clientSecret: amo.clientSecret,
    redirectUri: amo.redirectUri,
    baseUrl,
    tokenStore: store,
    rateLimitPerSecond,
    sharedRateLimit,
  });
  return {
    // What the OAuth callback handler does after the user clicked Allow.
    async authorize(code) {
      const { state } = client.authorizationUrl();
      await client.exchangeCode({ code, state, expectedState: state, referer: amo.referer });
    },
    account: () => client.account(),
    status: () => client.tokenStatus(),
    close: () => client.close(),
  };
}

module.exports = {
  create,
  describe: ({ store, rateLimitPerSecond, sharedRateLimit } = {}) =>
    `uzgate AmoCrmClient, ${store ? `${store.type} token store` : 'memory store'}, rateLimitPerSecond ${rateLimitPerSecond}${
      sharedRateLimit ? ' shared through Redis' : ''
    }`,
};
