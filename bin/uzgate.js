#!/usr/bin/env node
/**
 * `npx uzgate`: the sandbox gateway, token status/refresh for a configured provider, one SMS,
 * the masked configuration view.
 * Configuration comes from the environment (the same variables as the Nest modules). Errors go
 * to stderr; exit codes: 0 ok, 1 the operation failed, 2 usage error.
 */
'use strict';

const path = require('node:path');

const USAGE = `uzgate — SMS (Eskiz, Play Mobile, Twilio), OTP and amoCRM for Node

Usage:
  uzgate sandbox [--port N] [--config JSON]   run the sandbox gateway until Ctrl+C (needs the
                                               dev dependency uzgate-sandbox)
  uzgate token status [--provider sms|amocrm] the token's state (never the token); no request
  uzgate token refresh [--provider sms|amocrm]
                                               refresh now and print the new state
  uzgate token seal [--provider sms|amocrm]   once, after setting UZGATE_ENCRYPTION_KEY or
                                               upgrading: seal the stored token in the current
                                               format (and move it from the older default key)
  uzgate send <phone> <text> [--from SENDER]  send one SMS with the configured provider
  uzgate config [--json]                      the configuration of every client the environment
                                               configures (SMS, amoCRM, OTP), every value
                                               masked, with what is missing or risky
  uzgate help                                 this text

Configuration (environment):
  SMS_PROVIDER            eskiz | twilio | playmobile | console (default: the provider whose
                          variables are set; none or several is an error: console only by name)
  ESKIZ_EMAIL, ESKIZ_PASSWORD, ESKIZ_FROM, ESKIZ_BASE_URL
  TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM, TWILIO_BASE_URL
  PLAYMOBILE_LOGIN, PLAYMOBILE_PASSWORD, PLAYMOBILE_ORIGINATOR, PLAYMOBILE_PRIORITY,
  PLAYMOBILE_BASE_URL
  AMOCRM_CLIENT_ID, AMOCRM_CLIENT_SECRET, AMOCRM_REDIRECT_URI, AMOCRM_SUBDOMAIN
  UZGATE_TOKEN_STORE      memory | file | redis (token status/refresh need file or redis)
  UZGATE_TOKEN_FILE, UZGATE_REDIS_URL, UZGATE_ENCRYPTION_KEY

An unknown variable under ESKIZ_, PLAYMOBILE_, AMOCRM_ or UZGATE_ (or a near miss of a known SMS_, OTP_,
TWILIO_ one) is a CONFIG error naming the closest known variable.

Exit codes: 0 ok, 1 the operation failed (its error code on stderr), 2 usage error.
`;

class UsageError extends Error {}

/** Flags that take no value. */
const BOOLEAN_FLAGS = new Set(['json']);

/** `[positional…]` and `{ flag: value }` from argv; `--flag value` and `--flag=value`. */
function parseArgs(argv) {
  const positional = [];
  const flags = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') {
      flags.help = true;
    } else if (BOOLEAN_FLAGS.has(a.slice(2))) {
      flags[a.slice(2)] = true;
    } else if (a.startsWith('--')) {
      const [name, inline] = a.slice(2).split('=', 2);
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      flags[name] = value;
    } else {
      positional.push(a);
    }
  }
  return { positional, flags };
}

function load() {
  const dist = path.join(__dirname, '..', 'dist');
  return {
    lib: require(dist),
    env: require(path.join(dist, 'nestjs', 'config', 'env-options.js')),
    table: require(path.join(dist, 'configuration-table.js')),
  };
}

function printStatus(status) {
  if (!status) {
    console.log('This provider has no token (static credentials or the console provider).');
    return;
  }
  const when = (d) => (d ? new Date(d).toISOString() : '—');
  console.log(`provider     ${status.provider}`);
  console.log(`state        ${status.state}`);
  console.log(`store        ${status.store}`);
  console.log(`expires at   ${when(status.expiresAt)}`);
  console.log(`obtained at  ${when(status.obtainedAt)}`);
  console.log(`refreshes    ${status.refreshes} (logins ${status.logins}, adopted ${status.adopted}, failures ${status.failures})`);
  if (status.lastError) console.log(`last error   ${status.lastError.code}: ${status.lastError.message}`);
  if (status.store === 'memory') {
    console.log('\nNote: a memory store lives only in this process; set UZGATE_TOKEN_STORE=file|redis to see a shared token.');
  }
}

function printSeal(report) {
  const what = {
    nothing: 'No stored token to seal (nothing under the key or the older default key).',
    current: 'The stored token is already in the current format; nothing changed.',
    sealed: 'The stored token was rewritten in the current format.',
    moved: 'The stored token was moved from the older default key to the current one.',
  };
  if (!report) {
    console.log('This provider has no token (static credentials or the console provider).');
    return;
  }
  console.log(what[report.outcome] ?? report.outcome);
  if (report.from) console.log(`was          ${report.from}`);
  if (report.version !== undefined) console.log(`version      ${report.version}`);
}

async function sandbox(flags, lib) {
  const options = flags.config ? JSON.parse(flags.config) : {};
  if (flags.port !== undefined) {
    const port = Number(flags.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be 0–65535');
    options.port = port;
  }
  // Signals are taken before the URL is printed: whoever reads it may stop us at once.
  const stopped = new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  const sb = await lib.startSandbox(options);
  // The server runs on the addon's threads; this timer is what keeps Node's loop alive.
  const alive = setInterval(() => {}, 1 << 30);
  console.log(`uzgate sandbox listening on ${sb.url}`);
  console.log(`Eskiz: demo@uzgate.dev / sandbox-secret · Play Mobile: sandbox-login / sandbox-password · amoCRM and Twilio accounts: ${sb.url}/__sandbox/`);
  await stopped;
  clearInterval(alive);
  await sb.close();
}

function client(lib, env, provider) {
  if (provider === 'amocrm') return new lib.AmoCrmClient(env.amoCrmOptionsFromEnv(process.env));
  return new lib.SmsClient(env.smsOptionsFromEnv(process.env));
}

async function token(sub, flags, lib, env) {
  const provider = flags.provider ?? 'sms';
  if (!['sms', 'amocrm'].includes(provider)) throw new UsageError('--provider must be sms or amocrm');
  if (!['status', 'refresh', 'seal'].includes(sub)) throw new UsageError('token needs `status`, `refresh` or `seal`');
  const c = client(lib, env, provider);
  try {
    if (sub === 'seal') printSeal(await c.sealStoredToken());
    else printStatus(sub === 'status' ? await c.storedTokenStatus() : await c.refreshToken());
  } finally {
    await c.close();
  }
}

async function send(args, flags, lib, env) {
  const [to, ...words] = args;
  if (!to || words.length === 0) throw new UsageError('send needs <phone> <text>');
  const c = new lib.SmsClient(env.smsOptionsFromEnv(process.env));
  try {
    const r = await c.send({ to, text: words.join(' '), from: flags.from });
    console.log(`sent through ${r.provider}: id ${r.id}, status ${r.status}, ${r.segments} segment(s)`);
  } finally {
    await c.close();
  }
}

/** Whether the environment names any variable of these prefixes (or one of these names). */
function mentions(prefixes) {
  return Object.keys(process.env).some((k) => prefixes.some((p) => k.startsWith(p)));
}

/**
 * The clients the environment configures, built as the Nest modules build them (no network),
 * asked for their views, closed. OTP needs the SMS client that sends its codes.
 */
async function config(flags, lib, env, table) {
  const clients = [];
  try {
    if (mentions(['SMS_', 'ESKIZ_', 'TWILIO_', 'PLAYMOBILE_']) || mentions(['OTP_'])) {
      clients.push(new lib.SmsClient(env.smsOptionsFromEnv(process.env)));
    }
    if (mentions(['AMOCRM_'])) clients.push(new lib.AmoCrmClient(env.amoCrmOptionsFromEnv(process.env)));
    if (mentions(['OTP_'])) clients.push(new lib.OtpService({ ...env.otpOptionsFromEnv(process.env), sms: clients[0] }));
    const views = clients.map((c) => c.configuration());
    if (flags.json !== undefined) console.log(JSON.stringify({ clients: views }, null, 2));
    else process.stdout.write(table.formatConfiguration(views));
  } finally {
    for (const c of clients.reverse()) await c.close();
  }
}

async function main(argv) {
  const { positional, flags } = parseArgs(argv);
  const [command, ...rest] = positional;
  if (!command || command === 'help' || flags.help) {
    process.stdout.write(USAGE);
    return command || flags.help ? 0 : 2;
  }
  const { lib, env, table } = load();
  switch (command) {
    case 'sandbox':
      await sandbox(flags, lib);
      return 0;
    case 'token':
      await token(rest[0], flags, lib, env);
      return 0;
    case 'config':
      await config(flags, lib, env, table);
      return 0;
    case 'send':
      await send(rest, flags, lib, env);
      return 0;
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    if (e instanceof UsageError) {
      process.stderr.write(`uzgate: ${e.message}\n\n${USAGE}`);
      process.exitCode = 2;
      return;
    }
    const code = e && e.code ? `${e.code}: ` : '';
    process.stderr.write(`uzgate: ${code}${e && e.message ? e.message : e}\n`);
    process.exitCode = 1;
  },
);
