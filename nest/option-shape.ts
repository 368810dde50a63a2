/**
 * Checks a value handed to uzgate against the shape it must have, before the native addon sees
 * it. The addon's converter silently drops keys it does not know (a `baseUrll` typo would send to
 * the real service) and its own type errors quote the raw value (a phone number, a password).
 * Here an unknown option key fails naming the closest known key, and a wrong type fails naming
 * the field only: a value never appears in a message.
 */
import { UzgateError, type UzgateErrorCode } from './errors';

/**
 * What a field holds; `any` is checked by the addon or by the provider. `count` is a whole
 * number 0…2³²−1 (the addon's `u32`, which would otherwise wrap `-1` to 4294967295 and cut 1.5).
 */
export type Kind = 'string' | 'number' | 'count' | 'boolean' | 'function' | 'object' | 'array' | 'any';

export interface Field {
  readonly kind: Kind | readonly Kind[] | Shape;
  readonly optional: boolean;
  /** An array whose every item has `kind`. */
  readonly list: boolean;
}

export interface Shape {
  /** The interface's name in the generated `index.d.ts` (or the TypeScript layer). */
  readonly name: string;
  readonly fields: Readonly<Record<string, Field>>;
  /** Options refuse keys they do not know; inputs (a message, a lead) let the addon ignore them. */
  readonly unknownKeys: 'refuse' | 'ignore';
}

export const required = (kind: Field['kind']): Field => ({ kind, optional: false, list: false });
export const optional = (kind: Field['kind']): Field => ({ kind, optional: true, list: false });
export const optionalList = (kind: Field['kind']): Field => ({ kind, optional: true, list: true });
export const requiredList = (kind: Field['kind']): Field => ({ kind, optional: false, list: true });

export function shape(
  name: string,
  fields: Record<string, Field>,
  extra: { unknownKeys?: Shape['unknownKeys'] } = {},
): Shape {
  return { name, fields, unknownKeys: extra.unknownKeys ?? 'refuse' };
}

/**
 * Throws an UzgateError with `code` naming the first problem: `eskiz.password must be a string`,
 * `unknown option eskiz.baseUrll (did you mean baseUrl?)`. `path` prefixes field names
 * (`messages[2]`); empty for the fields of a single argument object.
 */
export function checkShape(s: Shape, value: unknown, code: UzgateErrorCode, path = '', what = 'option'): void {
  if (!isPlainObject(value)) throw new UzgateError(`${path || s.name} must be an object`, { code });
  for (const key of Object.keys(value)) {
    if (!(key in s.fields) && s.unknownKeys === 'refuse') {
      const near = closest(key, Object.keys(s.fields));
      const hint = near ? `did you mean ${near}?` : `known: ${Object.keys(s.fields).join(', ')}`;
      throw new UzgateError(`unknown ${what} ${join(path, key)} (${hint})`, { code });
    }
  }
  for (const [key, field] of Object.entries(s.fields)) {
    checkField(field, value[key], code, join(path, key), what);
  }
}

/**
 * The part of a client's options the core cannot see: the object itself, and its `logger` (a
 * function or a Nest `Logger`). Every other key is checked by the core, which refuses unknown ones.
 */
export function checkJsOptions(name: string, options: unknown): asserts options is Record<string, unknown> {
  if (!isPlainObject(options)) throw new UzgateError(`${name} must be an object`, { code: 'CONFIG' });
  checkField(optional(['function', 'object']), options.logger, 'CONFIG', 'logger', 'option');
}

/** One argument of a call (`phone`, `messages`), named in the message. */
export function checkArgument(name: string, field: Field, value: unknown, code: UzgateErrorCode = 'INVALID_ARGUMENT'): void {
  checkField(field, value, code, name, 'field');
}

function checkField(field: Field, value: unknown, code: UzgateErrorCode, path: string, what: string): void {
  if (value === undefined || value === null) {
    if (!field.optional) throw new UzgateError(`${path} is required`, { code });
    return;
  }
  if (!field.list) {
    checkKind(field.kind, value, code, path, what);
    return;
  }
  if (!Array.isArray(value)) throw new UzgateError(`${path} must be an array`, { code });
  value.forEach((item, i) => {
    checkKind(field.kind, item, code, `${path}[${i}]`, what);
  });
}

function checkKind(kind: Field['kind'], value: unknown, code: UzgateErrorCode, path: string, what: string): void {
  if (isShape(kind)) {
    checkShape(kind, value, code, path, what);
    return;
  }
  const kinds: readonly Kind[] = typeof kind === 'string' ? [kind] : kind;
  if (kinds.some((k) => hasKind(k, value))) return;
  throw new UzgateError(`${path} must be ${kinds.map(article).join(' or ')}`, { code });
}

function hasKind(kind: Kind, value: unknown): boolean {
  switch (kind) {
    case 'any':
      return true;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'count':
      return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffff_ffff;
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    default:
      return typeof value === kind;
  }
}

function article(kind: Kind): string {
  switch (kind) {
    case 'any':
      return 'a value';
    case 'array':
    case 'object':
      return `an ${kind}`;
    case 'number':
      return 'a finite number';
    case 'count':
      return 'a whole number from 0 to 4294967295';
    default:
      return `a ${kind}`;
  }
}

function isShape(kind: Field['kind']): kind is Shape {
  return typeof kind === 'object' && !Array.isArray(kind);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/**
 * The known name closest to `name` (case-insensitive optimal-string-alignment distance, i.e.
 * Damerau–Levenshtein with adjacent transpositions), when it is close enough to be a typo:
 * at most 2 edits, and fewer than half the name's length.
 */
export function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= 2 && bestDistance < Math.max(name.length, 2) / 2 ? best : undefined;
}

/** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}
