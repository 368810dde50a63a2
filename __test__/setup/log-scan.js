/**
 * Global teardown: reads every log line the run produced and fails the run if one carries a
 * token, a password, an API secret, an OTP code or a full phone number.
 */
const fs = require('node:fs');
const path = require('node:path');

/** Secrets the suites use (sandbox credentials, test keys), all fake. */
const KNOWN_SECRETS = [
  'sandbox-secret',
  'sandbox-client-secret',
  'sandbox-auth-token',
  'otp-test-secret',
  'test-secret-at-least-16',
  'not-the-secret',
  'not-the-token',
  'hunter2',
  'BwcHBwcH', // base64 of the suites' encryption key
];

const RULES = [
  ['a JWT', /eyJ[A-Za-z0-9_-]{10,}/],
  ['a long token-like string', /[A-Za-z0-9_\-+/]{32,}/],
  // Codes, full phone numbers: 6+ digits in a row. devMode lines log codes on purpose.
  ['a code or an unmasked number', /(?<![\d.])\d{6,}(?![\d.])/, (line) => line.includes('devMode:')],
];

module.exports = async function logScan() {
  const file = process.env.UZGATE_LOG_FILE;
  if (!file || !fs.existsSync(file)) {
    throw new Error('log scan: no log file was written; UZGATE_LOG_FILE capture is broken');
  }
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const leaks = [];
  for (const line of lines) {
    for (const secret of KNOWN_SECRETS) {
      if (line.includes(secret)) leaks.push(`secret "${secret}": ${line}`);
    }
    for (const [what, re, allowed] of RULES) {
      if (re.test(line) && !(allowed && allowed(line))) leaks.push(`${what}: ${line}`);
    }
  }
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  if (lines.length === 0) {
    throw new Error('log scan: no log line was captured; the UZGATE_LOG_FILE capture looks broken');
  }
  if (leaks.length > 0) {
    throw new Error(`log scan: ${leaks.length} log line(s) leak secrets:\n${leaks.slice(0, 20).join('\n')}`);
  }
  console.log(`\nlog scan: ${lines.length} log lines of the whole run, no token, password, secret, code or full number in them`);
};
