/**
 * Boots the example app (the same `createApp` as `src/main.ts`) on a fixed port of 127.0.0.1,
 * and again after a restart: the amoCRM redirect URI names the port, so it must not change.
 * The app's log lines are kept, not printed, and shown only when the demo fails.
 */
import * as net from 'node:net';
import type { INestApplication, LoggerService } from '@nestjs/common';
import { createApp } from '../src/create-app';

export class AppRunner {
  private app?: INestApplication;

  constructor(
    readonly port: number,
    private readonly logs: LogBuffer,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const app = await createApp(this.logs);
    await app.listen(this.port, '127.0.0.1');
    this.app = app;
  }

  async restart(): Promise<void> {
    await this.close();
    await this.start();
  }

  async close(): Promise<void> {
    const app = this.app;
    this.app = undefined;
    await app?.close();
  }
}

/** A port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

/** Nest's (and uzgate's) log lines, kept for a failure report. */
export class LogBuffer implements LoggerService {
  private readonly lines: Array<{ text: string; important: boolean }> = [];

  log(message: unknown, context?: string): void {
    this.add('log', message, context);
  }
  warn(message: unknown, context?: string): void {
    this.add('warn', message, context);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.add('error', message, rest.at(-1));
  }
  debug(message: unknown, context?: string): void {
    this.add('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.add('verbose', message, context);
  }

  /** The last `count` lines from uzgate, and every warning and error (Nest's start-up chatter left out). */
  last(count: number): string[] {
    return this.lines.filter((l) => l.important).slice(-count).map((l) => l.text);
  }

  private add(level: string, message: unknown, context: unknown): void {
    const scope = typeof context === 'string' ? context : '';
    this.lines.push({
      text: `${level.padEnd(7)} ${scope ? `[${scope}] ` : ''}${String(message)}`,
      important: scope.startsWith('uzgate') || level === 'warn' || level === 'error',
    });
  }
}
