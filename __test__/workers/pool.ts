/** Forked worker processes driven over IPC, killed by pid in teardown. */
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

export interface RunReply {
  ok: boolean;
  done: number;
  errors: string[];
  error?: string;
}

export class Worker {
  private pending: Array<(msg: unknown) => void> = [];
  readonly ready: Promise<void>;

  constructor(readonly child: ChildProcess) {
    this.ready = new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => { reject(new Error(`worker exited early (${code})`)); });
      this.pending.push(() => { resolve(); });
    });
    child.on('message', (msg: unknown) => this.pending.shift()?.(msg));
  }

  request<T>(msg: object): Promise<T> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null, signal: string | null) => { reject(new Error(`worker ${this.child.pid} exited (${code ?? signal})`)); };
      this.child.once('exit', onExit);
      this.pending.push((reply) => {
        this.child.off('exit', onExit);
        const failure = reply as { ok?: boolean; error?: string };
        if (failure.ok === false) reject(new Error(failure.error));
        else resolve(reply as T);
      });
      this.child.send(msg);
    });
  }

  run(count: number, concurrency: number, op = 'account'): Promise<RunReply> {
    return this.request({ cmd: 'run', count, concurrency, op });
  }

  runFor(durationMs: number, concurrency: number, op = 'account'): Promise<RunReply> {
    return this.request({ cmd: 'run', durationMs, concurrency, op });
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

export function spawnWorker(options: object, script = 'amocrm-worker.js'): Worker {
  const child = fork(path.join(__dirname, script), [JSON.stringify(options)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Worker(child);
}

export async function closeWorkers(workers: Worker[]): Promise<void> {
  await Promise.all(
    workers.map(async (w) => {
      if (w.child.exitCode !== null || w.child.signalCode !== null) return;
      const exited = new Promise((r) => w.child.once('exit', r));
      let timer: NodeJS.Timeout | undefined;
      try {
        w.child.send({ cmd: 'close' });
        await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 3000)))]);
      } catch {
        /* already gone */
      } finally {
        clearTimeout(timer);
      }
      w.kill();
    }),
  );
}
