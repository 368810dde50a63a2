/**
 * A logger or an event listener that throws or rejects must not end the process: each runs in a
 * real child process that sends through the sandbox, logs at debug level and refreshes its token
 * midway; the process must finish every send and exit 0 by itself.
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import type { Sandbox } from '../nest';
import { ESKIZ_EMAIL, ESKIZ_PASSWORD, sandbox } from './helpers';

let sb: Sandbox;

beforeAll(async () => {
  sb = await sandbox();
});

afterAll(async () => {
  await sb.close();
});

interface Outcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  report?: {
    sent: number;
    errors: string[];
    received: number;
    failures: { logger: number; listener: number };
    warnings: Array<{ name: string; code: string; message: string }>;
    crashed?: string;
  };
  stderr: string;
}

const SENDS = 6;

function runHostile(mode: string): Promise<Outcome> {
  const child = fork(
    path.join(__dirname, 'workers', 'hostile-callbacks.js'),
    [JSON.stringify({ url: sb.url, mode, sends: SENDS, email: ESKIZ_EMAIL, password: ESKIZ_PASSWORD })],
    { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let report: Outcome['report'];
  child.on('message', (m) => (report = m as Outcome['report']));
  return new Promise((resolve) => {
    child.on('exit', (exitCode, signal) => {
      resolve({ exitCode, signal, report, stderr });
    });
  });
}

function expectSurvived(mode: string, outcome: Outcome): NonNullable<Outcome['report']> {
  expect({ mode, exitCode: outcome.exitCode, crashed: outcome.report?.crashed, uncaught: /Uncaught|throw er|Error: callback failed/.test(outcome.stderr) }).toEqual({
    mode,
    exitCode: 0,
    crashed: undefined,
    uncaught: false,
  });
  const report = outcome.report!;
  expect({ mode, sent: report.sent, errors: report.errors }).toEqual({ mode, sent: SENDS, errors: [] });
  // reported once, through Node's warning channel, with the error's name only
  expect(report.warnings).toEqual([
    expect.objectContaining({ name: 'UzgateWarning', code: 'UZG_CALLBACK_FAILED', message: expect.stringContaining('(TypeError)') }),
  ]);
  expect(report.warnings[0].message).not.toContain('callback failed');
  return report;
}

describe.each([
  'a function logger that throws',
  'a LoggerService whose every method throws',
  'an async logger that rejects',
])('%s', (mode) => {
  test('every send goes out, each failure is counted, one warning, exit 0', async () => {
    sb.clearInbox();
    const outcome = await runHostile(mode);
    const report = expectSurvived(mode, outcome);
    expect(sb.inbox()).toHaveLength(SENDS);
    // at debug level every send logs: far more failures than the one warning
    expect(report.failures.logger).toBeGreaterThanOrEqual(SENDS);
    expect(report.failures.listener).toBe(0);
  });
});

describe.each([
  'a token_refreshed listener that throws',
  'an async token_refreshed listener that rejects',
  'nest: a token_refreshed listener that throws',
  'nest: an async token_refreshed listener that rejects',
])('%s', (mode) => {
  test('the listener after it still gets both events (login, refresh), each failure counted once, exit 0', async () => {
    sb.clearInbox();
    const outcome = await runHostile(mode);
    const report = expectSurvived(mode, outcome);
    expect(sb.inbox()).toHaveLength(SENDS);
    expect({ received: report.received, listenerFailures: report.failures.listener, loggerFailures: report.failures.logger }).toEqual({
      received: 2,
      listenerFailures: 2,
      loggerFailures: 0,
    });
  });
});
