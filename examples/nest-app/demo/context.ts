/** What every step of the walk-through gets. */
import type { Sandbox } from 'uzgate';
import { Browser, json, type Page } from './browser';
import type { Report } from './report';

export interface DemoContext {
  report: Report;
  sandbox: Sandbox;
  browser: Browser;
  appUrl: string;
  tokenFile: string;
  /** The app's ADMIN_API_KEY, for `GET /amocrm/status`. */
  adminApiKey: string;
  /** Closes the app and boots it again on the same port, with the same environment. */
  restartApp(): Promise<void>;
}

/** Thrown by `must` after the ✘ is printed: the steps after it depend on it. */
export class DemoStop extends Error {}

/** A check later steps depend on: ✔, or ✘ and the walk-through ends. */
export function must(ctx: DemoContext, passed: boolean, text: string): asserts passed {
  if (!ctx.report.check(passed, text)) throw new DemoStop(text);
}

export async function post(ctx: DemoContext, path: string, body: unknown): Promise<{ page: Page; body: Record<string, unknown> }> {
  const page = await ctx.browser.post(`${ctx.appUrl}${path}`, body);
  return { page, body: (json(page) as Record<string, unknown> | undefined) ?? {} };
}

/** `{ a: 1, b: "x" }`: a JSON body, short enough for one report line. */
export function brief(body: Record<string, unknown>): string {
  const entries = Object.entries(body).filter(([, v]) => v !== undefined);
  return `{ ${entries.map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(', ')} }`;
}
