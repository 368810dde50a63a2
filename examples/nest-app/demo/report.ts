/**
 * The demo's printed report: sections, ✔/✘ lines, and the verdict (`demo OK` or
 * `demo FAILED: <first failure>`) as the last line. Every line passes through `redact`, so a
 * secret the demo configured can never be printed, whatever a step puts in a line.
 */
export class Report {
  private readonly failures: string[] = [];

  constructor(private readonly secrets: string[]) {}

  line(text = ''): void {
    console.log(this.redact(text));
  }

  section(title: string): void {
    this.line();
    this.line(title);
  }

  ok(text: string): void {
    this.line(`  ✔ ${text}`);
  }

  /** A ✔ when `passed`, else a ✘ and a recorded failure; returns `passed`. */
  check(passed: boolean, text: string): boolean {
    if (passed) this.ok(text);
    else this.fail(text);
    return passed;
  }

  fail(text: string): void {
    this.failures.push(text);
    this.line(`  ✘ ${text}`);
  }

  get failed(): boolean {
    return this.failures.length > 0;
  }

  verdict(): void {
    this.line(this.failed ? `demo FAILED: ${this.failures[0]}` : 'demo OK');
  }

  private redact(text: string): string {
    return this.secrets.reduce((t, secret) => (secret ? t.split(secret).join('[secret]') : t), text);
  }
}

/** `537778` → `53****`: enough to recognise, not enough to use. */
export function maskCode(code: string): string {
  return code.slice(0, 2) + '*'.repeat(Math.max(code.length - 2, 0));
}
