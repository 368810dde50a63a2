/**
 * Raw fetch: Node's global `fetch` (undici) with a token obtained once by login and no refresh
 * logic at all — the floor for an HTTP call from Node, not a usable client.
 */
'use strict';

const account = require('./account');

async function create({ baseUrl }) {
  const login = await fetch(`${baseUrl}/auth/login`, {
    method: 'POST',
    body: new URLSearchParams({ email: account.email, password: account.password }),
  });
  if (!login.ok) throw new Error(`login failed: ${login.status}`);
  const token = (await login.json()).data.token;
  const url = `${baseUrl}/message/sms/send`;
  const headers = { authorization: `Bearer ${token}` };

  return {
    async send() {
      // URLSearchParams per call, as application code builds its body per message.
      const res = await fetch(url, {
        method: 'POST',
        headers,
        body: new URLSearchParams({ mobile_phone: account.mobilePhone, message: account.text, from: account.from }),
      });
      const body = await res.json();
      if (!res.ok) {
        const err = new Error(`HTTP ${res.status}: ${body.message}`);
        err.code = `HTTP_${res.status}`;
        throw err;
      }
      return body;
    },
    close: async () => {},
  };
}

module.exports = { create, describe: () => `global fetch (undici ${process.versions.undici})` };
