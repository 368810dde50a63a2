/**
 * Reads uzgate settings from `process.env` or a Nest `ConfigService`, failing with an
 * UzgateError(CONFIG) that names the variable. Values are never put in messages: most of these
 * settings are secrets, and a startup error ends up in logs.
 */
import { UzgateError } from '../../index';

/** `process.env`, a plain record, or anything with `get(name)` such as Nest's `ConfigService`. */
export type EnvSource = Record<string, string | undefined> | { get(name: string): unknown };

export function configError(message: string): UzgateError {
  return new UzgateError(message, { code: 'CONFIG' });
}

export class EnvReader {
  constructor(private readonly source: EnvSource) {}

  /** The trimmed value, or undefined when unset or empty. */
  optional(name: string): string | undefined {
    const raw = hasGetter(this.source) ? this.source.get(name) : this.source[name];
    if (raw === undefined || raw === null) return undefined;
    const value = String(raw).trim();
    return value === '' ? undefined : value;
  }

  /** `why` finishes "NAME is not set (…)", e.g. "needed for SMS_PROVIDER=eskiz". */
  required(name: string, why: string): string {
    const value = this.optional(name);
    if (value === undefined) throw configError(`${name} is not set (${why})`);
    return value;
  }

  /** An http(s) URL. */
  url(name: string): string | undefined {
    const value = this.optional(name);
    if (value !== undefined && !isUrl(value, ['http:', 'https:'])) {
      throw configError(`${name} must be an http(s) URL`);
    }
    return value;
  }

  /** One of `allowed`; the value is echoed since it is a choice, not a secret. */
  oneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const value = this.optional(name)?.toLowerCase();
    if (value === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(value)) {
      throw configError(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
    }
    return value as T;
  }

  /** `true/false`, `1/0`, `yes/no`, `on/off`. */
  boolean(name: string): boolean | undefined {
    const value = this.optional(name)?.toLowerCase();
    if (value === undefined) return undefined;
    if (['true', '1', 'yes', 'on'].includes(value)) return true;
    if (['false', '0', 'no', 'off'].includes(value)) return false;
    throw configError(`${name} must be true or false`);
  }
}

export function isUrl(value: string, protocols: string[]): boolean {
  try {
    const url = new URL(value);
    return protocols.includes(url.protocol) && url.hostname !== '';
  } catch {
    return false;
  }
}

function hasGetter(source: EnvSource): source is { get(name: string): unknown } {
  return typeof (source as { get?: unknown }).get === 'function';
}
