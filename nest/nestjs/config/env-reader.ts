/**
 * Reads uzgate settings from `process.env` or a Nest `ConfigService`, failing with an
 * UzgateError(CONFIG) that names the variable. Values are never put in messages: most of these
 * settings are secrets, and a startup error ends up in logs.
 */
import { UzgateError } from '../../index';
import { isKnownVariable, refuseUnknownVariables } from './env-names';

/** `process.env`, a plain record, or anything with `get(name)` such as Nest's `ConfigService`. */
export type EnvSource = Record<string, string | undefined> | { get(name: string): unknown };

export function configError(message: string): UzgateError {
  return new UzgateError(message, { code: 'CONFIG' });
}

export class EnvReader {
  constructor(private readonly source: EnvSource) {}

  /**
   * Fails with CONFIG when a set variable under `prefixes` is not one uzgate knows (see
   * env-names.ts). A `get(name)` source such as ConfigService cannot list its names: then the
   * names of `process.env` are checked (ConfigModule loads `.env` files into it by default).
   */
  refuseUnknown(prefixes: readonly string[]): this {
    const names = hasGetter(this.source) ? Object.keys(process.env) : Object.keys(this.source);
    refuseUnknownVariables(
      names.filter((n) => this.optional(n, true) !== undefined),
      prefixes,
    );
    return this;
  }

  /** Whether any of `names` is set. */
  anySet(names: readonly string[]): boolean {
    return names.some((n) => this.optional(n) !== undefined);
  }

  /** The trimmed value, or undefined when unset or empty. */
  optional(name: string, anyName = false): string | undefined {
    if (!anyName && !isKnownVariable(name)) {
      throw new Error(`uzgate: ${name} is read but missing from ENV_VARIABLES (nest/nestjs/config/env-names.ts): add it there`);
    }
    const raw = hasGetter(this.source) ? this.source.get(name) : this.source[name];
    if (raw === undefined || raw === null) return undefined;
    // A ConfigService may hold numbers or booleans (from a config factory): read as their text.
    // eslint-disable-next-line @typescript-eslint/no-base-to-string
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

  /** A whole number (bounds are the core's to check, with the variable named). */
  integer(name: string): number | undefined {
    const value = this.optional(name);
    if (value === undefined) return undefined;
    if (!/^\d{1,10}$/.test(value.trim())) throw configError(`${name} must be a whole number`);
    return Number(value.trim());
  }

  /** A decimal number such as `0.25` (bounds are the core's to check). */
  decimal(name: string): number | undefined {
    const value = this.optional(name);
    if (value === undefined) return undefined;
    if (!/^\d{1,10}(\.\d{1,10})?$/.test(value.trim())) throw configError(`${name} must be a number such as 0.25`);
    return Number(value.trim());
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
