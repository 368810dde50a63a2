/** Shared set-up for the Nest suites: compile a testing module, start the app, close it after. */
import * as crypto from 'node:crypto';
import type { INestApplication, LoggerService, ModuleMetadata } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';

const apps: Array<INestApplication | TestingModule> = [];

/** A started (not listening) Nest app; closed by `closeApps()`. `configure` runs before init. */
export async function startApp(
  metadata: ModuleMetadata,
  logger?: LoggerService,
  configure?: (app: INestApplication) => void,
): Promise<INestApplication> {
  const builder = Test.createTestingModule(metadata);
  if (logger) builder.setLogger(logger);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication();
  apps.push(app);
  configure?.(app);
  await app.init();
  return app;
}

/** A compiled testing module without an HTTP app; closed by `closeApps()`. */
export async function compileModule(metadata: ModuleMetadata): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule(metadata).compile();
  apps.push(moduleRef);
  return moduleRef;
}

export async function closeApps(): Promise<void> {
  await Promise.all(apps.splice(0).map((a) => a.close()));
}

/** Twilio's algorithm, independently: base64(HMAC-SHA1(authToken, url + sorted name+value)). */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + params[key], url);
  return crypto.createHmac('sha1', authToken).update(data).digest('base64');
}

/** Collects what Nest's Logger receives. */
export class CollectingLogger implements LoggerService {
  readonly lines: Array<{ level: string; message: string; context?: string }> = [];
  log(message: unknown, context?: string): void {
    this.lines.push({ level: 'log', message: String(message), context });
  }
  warn(message: unknown, context?: string): void {
    this.lines.push({ level: 'warn', message: String(message), context });
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.lines.push({ level: 'error', message: String(message), context: rest.at(-1) as string | undefined });
  }
  debug(message: unknown, context?: string): void {
    this.lines.push({ level: 'debug', message: String(message), context });
  }
  verbose(message: unknown, context?: string): void {
    this.lines.push({ level: 'verbose', message: String(message), context });
  }
}

/** The variables uzgate's configuration reads (the test harness's own UZGATE_LOG_FILE etc. stay). */
const CONFIG_VARIABLE = /^(SMS_PROVIDER|ESKIZ_|TWILIO_|AMOCRM_|OTP_|UZGATE_(TOKEN_STORE|TOKEN_FILE|REDIS_URL|ENCRYPTION_KEY)$)/;

/** Runs `fn` with only `vars` among uzgate's variables in process.env, restoring it afterwards. */
export async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  const restore = () => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) Reflect.deleteProperty(process.env, key);
    Object.assign(process.env, saved);
  };
  for (const key of Object.keys(process.env)) {
    if (CONFIG_VARIABLE.test(key)) Reflect.deleteProperty(process.env, key);
  }
  for (const [key, value] of Object.entries(vars)) {
    if (value === undefined) Reflect.deleteProperty(process.env, key);
    else process.env[key] = value;
  }
  try {
    return await fn();
  } finally {
    restore();
  }
}
