/**
 * The sandbox gateway as its own package (`uzgate-sandbox`, mapped to packages/sandbox/src here):
 * the same control surface from either import, errors with stable codes, and `startSandbox`
 * from `uzgate` handing out the package's own sandbox.
 */
import { Sandbox as PackageSandbox, SandboxError, startSandbox as startFromPackage } from 'uzgate-sandbox';
import { startSandbox as startFromUzgate, UzgateError, type Sandbox } from '../nest';

const open: Sandbox[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((sb) => sb.close()));
});

async function track(sb: Promise<Sandbox>): Promise<Sandbox> {
  const started = await sb;
  open.push(started);
  return started;
}

function thrown(fn: () => void): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

test('startSandbox from uzgate hands out the package\'s sandbox, serving on 127.0.0.1', async () => {
  const sb = await track(startFromUzgate({ eskiz: { initialBalance: 7 } }));
  expect(sb).toBeInstanceOf(PackageSandbox);
  expect(sb.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const res = await fetch(`${sb.url}/__sandbox/stats`);
  expect(res.status).toBe(200);
  expect(sb.stats().eskiz.requests).toBe(0);
});

test('a bad start option rejects with INVALID_ARGUMENT: an UzgateError from uzgate, a SandboxError from the package', async () => {
  const fromUzgate = await startFromUzgate({ nope: 1 } as never).then(
    () => 'started',
    (e: unknown) => e,
  );
  expect(fromUzgate).toBeInstanceOf(UzgateError);
  expect(fromUzgate).toMatchObject({ code: 'INVALID_ARGUMENT', retryable: false });
  expect((fromUzgate as Error).message).toContain('unknown option `nope`');

  const fromPackage = await startFromPackage({ nope: 1 } as never).then(
    () => 'started',
    (e: unknown) => e,
  );
  expect(fromPackage).toBeInstanceOf(SandboxError);
  expect(fromPackage).toMatchObject({ code: 'INVALID_ARGUMENT', retryable: false });
  // the package's errors keep their code through UzgateError.from
  expect(UzgateError.from(fromPackage).code).toBe('INVALID_ARGUMENT');
});

test('a bad fault or a wrong argument type is INVALID_ARGUMENT; every control after close() is CLOSED', async () => {
  const sb = await track(startFromPackage());
  expect(
    thrown(() => {
      sb.setFault({ kind: 'bogus' } as never);
    }),
  ).toMatchObject({ code: 'INVALID_ARGUMENT' });
  expect(
    thrown(() => {
      sb.expireTokens(42 as never);
    }),
  ).toMatchObject({ code: 'INVALID_ARGUMENT', message: 'a sandbox argument has the wrong type' });
  expect(sb.setFault({ kind: 'status', status: 503, times: 1 })).toEqual(expect.any(Number));

  await sb.close();
  const controls = [
    () => {
      sb.stats();
    },
    () => {
      sb.inbox();
    },
    () => {
      sb.configure({ eskiz: { refreshEnabled: false } });
    },
    () => {
      sb.amocrmIssueCode();
    },
  ];
  for (const control of controls) {
    const e = thrown(control);
    expect(e).toBeInstanceOf(SandboxError);
    expect(e).toMatchObject({ code: 'CLOSED', retryable: false });
  }
  await sb.close(); // idempotent
});
