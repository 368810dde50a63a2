/**
 * The official `twilio` npm SDK, used as its docs show — `client.messages.create({ to, from,
 * body })` — pointed at the sandbox by a custom `httpClient`: the SDK's own RequestClient with
 * every `https://api.twilio.com` URI rewritten to the sandbox's URL.
 *
 * The SDK builds its connection pool as an https.Agent (keep-alive, maxSockets 20, maxTotalSockets
 * 100, maxFreeSockets 5); the sandbox speaks plain HTTP on loopback, so an http.Agent with those
 * very options stands in for it. Nothing else is changed: axios, qs encoding, response parsing
 * and RestException are the SDK's.
 */
'use strict';

const http = require('node:http');
const twilio = require('twilio');
const account = require('./account');

const TWILIO_API = /^https:\/\/api\.twilio\.com/;

class SandboxRequestClient extends twilio.RequestClient {
  constructor(sandboxUrl) {
    super();
    this.sandboxUrl = sandboxUrl;
    this.httpAgent = new http.Agent(this.axios.defaults.httpsAgent.options);
    this.axios.defaults.httpAgent = this.httpAgent;
  }

  request(opts) {
    return super.request({ ...opts, uri: opts.uri.replace(TWILIO_API, this.sandboxUrl) });
  }
}

async function create({ baseUrl, twilio: creds }) {
  const httpClient = new SandboxRequestClient(baseUrl);
  const client = twilio(creds.accountSid, creds.authToken, { httpClient });
  const message = { to: account.to, from: creds.numbers[0], body: account.text };
  return {
    send: () => client.messages.create(message),
    close: async () => httpClient.httpAgent.destroy(),
  };
}

module.exports = {
  create,
  describe: () => `twilio SDK ${require('twilio/package.json').version} (its RequestClient and pool settings, URI rewritten to the sandbox)`,
};
