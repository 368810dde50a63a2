/**
 * The amoCRM client most integrations start from, in each of several processes: axios with a
 * keep-alive agent; the token pair in a JSON file that the process reads when it starts; a
 * response interceptor that on a 401 posts the `refresh_token` grant with the refresh token this
 * process holds and writes the new pair to the file (no lock, no re-read: other processes'
 * refreshes are invisible to it), and on a 429 waits the body's `retry_after` and tries again.
 *
 * Within one process a refresh already running is joined (the usual `isRefreshing` promise), so
 * everything it does wrong is what several processes do to each other with single-use refresh
 * tokens.
 */
'use strict';

const fs = require('node:fs');
const http = require('node:http');
const axios = require('axios');
const amo = require('./amocrm-account');

const MAX_429_RETRIES = 20;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function create({ baseUrl, tokenFile }) {
  const httpAgent = new http.Agent({ keepAlive: true });
  const api = axios.create({ baseURL: baseUrl, httpAgent, timeout: 30000 });
  let tokens = fs.existsSync(tokenFile) ? JSON.parse(fs.readFileSync(tokenFile, 'utf8')) : null;
  let refreshing = null;

  async function grant(params) {
    const res = await axios.post(
      `${baseUrl}/oauth2/access_token`,
      { client_id: amo.clientId, client_secret: amo.clientSecret, redirect_uri: amo.redirectUri, ...params },
      { httpAgent, timeout: 30000 },
    );
    tokens = { access_token: res.data.access_token, refresh_token: res.data.refresh_token, expires_in: res.data.expires_in };
    fs.writeFileSync(tokenFile, JSON.stringify(tokens));
  }

  function refresh() {
    refreshing ||= grant({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token })
      .catch((e) => {
        const err = new Error(`refresh refused: ${e.response ? e.response.status : e.message}`);
        err.code = 'REFRESH_REFUSED';
        throw err;
      })
      .finally(() => {
        refreshing = null;
      });
    return refreshing;
  }

  api.interceptors.request.use((config) => {
    config.headers.Authorization = `Bearer ${tokens.access_token}`;
    return config;
  });

  api.interceptors.response.use(
    (response) => response,
    async (error) => {
      const config = error.config;
      const status = error.response && error.response.status;
      if (status === 401 && !config._refreshed) {
        config._refreshed = true;
        await refresh();
        return api(config);
      }
      if (status === 429 && (config._429 || 0) < MAX_429_RETRIES) {
        config._429 = (config._429 || 0) + 1;
        const seconds = Number(error.response.data && error.response.data.retry_after) || 1;
        await sleep(seconds * 1000);
        return api(config);
      }
      throw error;
    },
  );

  return {
    authorize: (code) => grant({ grant_type: 'authorization_code', code }),
    account: async () => (await api.get('/api/v4/account')).data,
    close: async () => httpAgent.destroy(),
  };
}

module.exports = {
  create,
  describe: () =>
    `axios ${require('axios/package.json').version}, tokens in a shared JSON file read at start; on 401 its own refresh_token grant (joined within the process), file rewritten, no lock, no re-read; on 429 waits retry_after`,
};
