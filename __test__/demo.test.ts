/**
 * `npm run demo` as a smoke test: the example app is compiled from its current sources, the
 * demo runs in a child process (its own sandbox, app and port) and its report is checked line
 * by line. Its uzgate log lines go to the run's UZGATE_LOG_FILE, so the log scan covers them.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function node(args: string[], timeoutMs: number): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: ROOT, timeout: timeoutMs, env: process.env }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

let demo: Run;

beforeAll(async () => {
  const tsc = await node([require.resolve('typescript/bin/tsc'), '-p', 'examples/nest-app/tsconfig.json'], 60_000);
  if (tsc.code !== 0) throw new Error(`the example app does not compile:\n${tsc.stdout}${tsc.stderr}`);
  demo = await node([path.join(ROOT, 'scripts/demo.js')], 20_000);
}, 90_000);

test('exits 0 with `demo OK` as the last line, and no ✘', () => {
  const lines = demo.stdout.trimEnd().split('\n');
  // stderr rides along so that a failure shows it.
  expect({ code: demo.code, last: lines.at(-1), stderr: demo.stderr }).toMatchObject({ code: 0, last: 'demo OK' });
  expect(demo.stdout).not.toContain('✘');
});

test.each([
  ['OTP sent, no code in the answer', /✔ POST \/auth\/send-otp → 200 \{ expiresInSeconds: 300, resendInSeconds: 60 \} \(no code in the answer\)/],
  ['the SMS read from the inbox, code masked', /✔ the phone got \(sandbox inbox\): "MyShop tasdiqlash kodi: \d\d\*{4}\. Kodni hech kimga bermang\."/],
  ['wrong code refused', /✔ POST \/auth\/verify-otp, wrong code → 400 invalid_code \(nothing tells whether a code is pending\)/],
  ['right code accepted', /✔ POST \/auth\/verify-otp, right code → 200 \{ ok: true \}/],
  ['a code works once', /✔ POST \/auth\/verify-otp, same code again → 400 invalid_code: a code works once, answered like a wrong one/],
  ['resend cooldown', /✔ POST \/auth\/send-otp again at once → 429 RATE_LIMITED, Retry-After: \d+ s/],
  ['a bad number never sent', /✔ POST \/auth\/send-otp \{ phone: "12345" \} → 400 INVALID_PHONE, nothing sent/],
  ['leads refused before connecting', /✔ POST \/leads before connecting → 502 REAUTHORIZATION_REQUIRED/],
  ['the Connect button', /✔ GET \/ → "amoCRM: not connected" and a "Connect amoCRM" button/],
  ['the OAuth round trip', /✔ Connect amoCRM: app \/amocrm\/authorize → sandbox \/oauth \(consent, auto-approved\) → app \/amocrm\/callback → app \/$/m],
  ['connected', /✔ back on \/ → "amoCRM: connected" \(state cookie checked, code exchanged once\)/],
  ['the status route', /✔ GET \/amocrm\/status with X-API-KEY → \{ state: "valid", store: "file", logins: 1 \}; without it → 401/],
  ['a lead created', /✔ POST \/leads → 201 \{ leadId: \d+, contactId: \d+, noteId: \d+, merged: false \}/],
  ['lead, contact and note in amoCRM', /✔ in the sandbox's amoCRM: lead "Website request: Dilnoza Karimova", contact "Dilnoza Karimova", note "Interested/],
  ['the burst on expired tokens', /✔ 3 × POST \/auth\/send-otp and 3 × POST \/leads at once → 200 200 200 201 201 201/],
  ['Eskiz refreshed once', /✔ Eskiz: \d+ requests? refused with 401 → 1 refresh \(PATCH \/auth\/refresh\), 0 logins/],
  ['amoCRM refreshed once', /✔ amoCRM: \d+ requests? refused with 401 → 1 refresh, its single-use refresh token spent once/],
  ['health', /✔ GET \/health → 200 ok: sms up \(token valid\), amocrm up \(token valid\)/],
  ['metrics', /✔ GET \/metrics → uzgate_token_refreshes_total by result: .*eskiz \(.*ok 1.*\).*amocrm \(.*ok 1/],
  ['the token file', /✔ token file: mode 0600, tokens sealed \(AES-256-GCM\), none in clear/],
  ['tokens survive a restart', /✔ POST \/auth\/send-otp → 200, POST \/leads → 201, with the stored tokens: 0 logins, code exchanges or refreshes/],
])('reports: %s', (_what, line) => {
  expect(demo.stdout).toMatch(line);
});

test('prints no secret, token or unmasked code', () => {
  for (const secret of ['sandbox-secret', 'sandbox-client-secret']) expect(demo.stdout).not.toContain(secret);
  expect(demo.stdout).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
  expect(demo.stdout).not.toContain('[secret]');
  expect(demo.stdout).not.toMatch(/kodi: \d{5}/);
});
