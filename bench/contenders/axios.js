/**
 * The axios baseline, written the way Node teams integrate Eskiz today: an axios instance, a
 * request interceptor that adds the bearer token from a module variable, and a response
 * interceptor with the classic `isRefreshing` flag + `failedQueue` array — one refresh while the
 * flag is up, queued requests replayed after it, login when the refresh fails.
 *
 * That pattern asks "is a refresh running right now?", not "was this request's token already
 * replaced?": a 401 that lands after a refresh finished starts another one, which (Eskiz revokes
 * the old token on refresh) invalidates the token the replayed requests carry. The storm
 * scenario shows what that costs; nothing here is made deliberately worse than the common code.
 */
'use strict';

const http = require('node:http');
const axios = require('axios');
const account = require('./account');

async function create({ baseUrl, axiosAgent = 'keepalive' }) {
  // Most services configure a keep-alive agent; 'default' leaves Node's global agent.
  const httpAgent = axiosAgent === 'keepalive' ? new http.Agent({ keepAlive: true }) : undefined;
  const api = axios.create({ baseURL: baseUrl, httpAgent, timeout: 30000 });

  let token = null;
  let isRefreshing = false;
  let failedQueue = [];

  const processQueue = (error, newToken) => {
    for (const p of failedQueue) {
      if (error) p.reject(error);
      else p.resolve(newToken);
    }
    failedQueue = [];
  };

  // Auth calls go through plain axios so they never loop through the 401 interceptor.
  async function login() {
    const res = await axios.post(
      `${baseUrl}/auth/login`,
      new URLSearchParams({ email: account.email, password: account.password }),
      { httpAgent },
    );
    token = res.data.data.token;
    return token;
  }

  async function refresh() {
    try {
      const res = await axios.patch(`${baseUrl}/auth/refresh`, null, {
        headers: { Authorization: `Bearer ${token}` },
        httpAgent,
      });
      token = res.data.data.token;
      return token;
    } catch {
      return login();
    }
  }

  api.interceptors.request.use((config) => {
    if (token) config.headers.Authorization = `Bearer ${token}`;
    return config;
  });

  api.interceptors.response.use(
    (response) => response,
    async (error) => {
      const original = error.config;
      if (!error.response || error.response.status !== 401 || original._retry) {
        return Promise.reject(error);
      }
      // The widely copied version leaves queued requests unmarked, so a replay that meets a
      // 401 again can queue again; marking them bounds every request to one replay, which can
      // only lower the baseline's refresh count.
      original._retry = true;
      if (isRefreshing) {
        return new Promise((resolve, reject) => failedQueue.push({ resolve, reject })).then(() => api(original));
      }
      isRefreshing = true;
      try {
        const newToken = await refresh();
        processQueue(null, newToken);
        return api(original);
      } catch (e) {
        processQueue(e, null);
        return Promise.reject(e);
      } finally {
        isRefreshing = false;
      }
    },
  );

  await login();

  return {
    async send() {
      const res = await api.post(
        '/message/sms/send',
        new URLSearchParams({ mobile_phone: account.mobilePhone, message: account.text, from: account.from }),
      );
      return res.data;
    },
    close: async () => {
      if (httpAgent) httpAgent.destroy();
    },
  };
}

module.exports = {
  create,
  describe: ({ axiosAgent = 'keepalive' } = {}) =>
    `axios ${require('axios/package.json').version} + isRefreshing/failedQueue; agent: ${
      axiosAgent === 'keepalive' ? 'http.Agent({ keepAlive: true })' : "Node's global agent"
    }`,
};
