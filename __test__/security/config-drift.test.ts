/**
 * The lists that make configuration fail closed must not drift from what uzgate really takes:
 * the known keys of each call input (nest/known-options.ts) against the generated `index.d.ts`,
 * the committed TypeScript option types (nest/generated/, from the Rust option types) against
 * what the addon parses and the TypeScript layer's extensions of them, and the known environment
 * variables (nest/nestjs/config/env-names.ts) against the names the sources read. Each failure
 * says which key or variable to add where.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import type { AmoCrmClientOptions, OtpServiceOptions, SmsClientOptions } from '../../nest';
import type { AmoCrmOptions } from '../../nest/generated/AmoCrmOptions';
import type { OtpOptions } from '../../nest/generated/OtpOptions';
import type { SmsOptions } from '../../nest/generated/SmsOptions';
import { ALL_SHAPES } from '../../nest/known-options';
import { native } from '../../nest/native';
import type { Field, Kind, Shape } from '../../nest/option-shape';
import { ENV_VARIABLES } from '../../nest/nestjs/config/env-names';

const ROOT = path.join(__dirname, '..', '..');
const KNOWN_OPTIONS = 'nest/known-options.ts';

interface Property {
  optional: boolean;
  kind: string;
}

/** `interface name { … }` of a file: each property, optional or not, with a coarse kind. */
function interfaces(file: string): Map<string, Map<string, Property>> {
  const source = ts.createSourceFile(file, fs.readFileSync(path.join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const found = new Map<string, Map<string, Property>>();
  source.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node)) return;
    const props = new Map<string, Property>();
    for (const member of node.members) {
      if (!ts.isPropertySignature(member)) continue;
      props.set(member.name.getText(source), { optional: member.questionToken !== undefined, kind: kindOf(member.type, source) });
    }
    found.set(node.name.text, props);
  });
  return found;
}

/** `string`, `number`, `boolean`, `any`, `Name` (an interface), `Name[]`, or `?` when mixed. */
function kindOf(type: ts.TypeNode | undefined, source: ts.SourceFile): string {
  if (!type) return '?';
  if (ts.isArrayTypeNode(type)) return `${kindOf(type.elementType, source)}[]`;
  if (ts.isTypeReferenceNode(type)) {
    const name = type.typeName.getText(source);
    if (name === 'Array' && type.typeArguments?.length === 1) return `${kindOf(type.typeArguments[0], source)}[]`;
    return name;
  }
  if (ts.isLiteralTypeNode(type)) return ts.isStringLiteral(type.literal) ? 'string' : '?';
  if (ts.isUnionTypeNode(type)) {
    const kinds = new Set(type.types.map((t) => kindOf(t, source)));
    return kinds.size === 1 ? [...kinds][0] : '?';
  }
  switch (type.kind) {
    case ts.SyntaxKind.StringKeyword:
      return 'string';
    case ts.SyntaxKind.NumberKeyword:
      return 'number';
    case ts.SyntaxKind.BooleanKeyword:
      return 'boolean';
    case ts.SyntaxKind.AnyKeyword:
    case ts.SyntaxKind.UnknownKeyword:
      return 'any';
    default:
      return '?';
  }
}

function fieldKind(field: Field): string {
  const k = field.kind;
  // `count` is a number in index.d.ts (a u32 in Rust).
  const base = typeof k === 'string' ? (k === 'count' ? 'number' : k) : Array.isArray(k) ? '?' : (k as Shape).name;
  return field.list ? `${base}[]` : base;
}

/** How to write a field in nest/known-options.ts for a property of index.d.ts. */
function suggestion(key: string, prop: Property): string {
  const list = prop.kind.endsWith('[]');
  const base = list ? prop.kind.slice(0, -2) : prop.kind;
  const kind = ['string', 'number', 'boolean', 'any'].includes(base) ? `'${base}'` : base === '?' ? `'any'` : `<the ${base} shape>`;
  const fn = `${prop.optional ? 'optional' : 'required'}${list ? 'List' : ''}`;
  return `${key}: ${fn}(${kind})`;
}

function driftOf(s: Shape, declared: Map<string, Property>, where: string): string[] {
  const problems: string[] = [];
  const listed = Object.keys(s.fields);
  for (const [key, prop] of declared) {
    const field = s.fields[key] as Field | undefined;
    if (!field) {
      problems.push(`${where} interface ${s.name} has \`${key}\`: add \`${suggestion(key, prop)}\` to the ${s.name} shape in ${KNOWN_OPTIONS}`);
      continue;
    }
    if (field.optional !== prop.optional) {
      problems.push(`${s.name}.${key} is ${prop.optional ? 'optional' : 'required'} in ${where}: make it ${suggestion(key, prop)} in ${KNOWN_OPTIONS}`);
    }
    const kind = fieldKind(field);
    const comparable = prop.kind !== '?' && kind !== '?' && kind !== 'any' && kind !== 'any[]';
    if (comparable && kind !== prop.kind && !(kind === 'object' && /^[A-Z]/.test(prop.kind))) {
      problems.push(`${s.name}.${key} is ${prop.kind} in ${where} but ${kind} in ${KNOWN_OPTIONS}: make it ${suggestion(key, prop)}`);
    }
  }
  for (const key of listed) {
    if (!declared.has(key)) {
      problems.push(`${s.name}.${key} is in ${KNOWN_OPTIONS} but not in ${where}: remove it there`);
    }
  }
  return problems;
}

test('every shape has its interface in index.d.ts, key for key, with the same optionality and kind', () => {
  const generated = interfaces('index.d.ts');
  const problems: string[] = [];
  for (const s of ALL_SHAPES) {
    const declared = generated.get(s.name);
    if (!declared) {
      problems.push(`index.d.ts has no interface ${s.name}: rename the shape in ${KNOWN_OPTIONS} after the generated interface`);
      continue;
    }
    problems.push(...driftOf(s, declared, 'index.d.ts'));
  }
  expect(problems).toEqual([]);
});

/** `export type name = { … }` of a file generated from the Rust option types: its keys. */
function generatedKeys(name: string): string[] {
  const file = `nest/generated/${name}.ts`;
  const source = ts.createSourceFile(file, fs.readFileSync(path.join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const keys: string[] = [];
  source.forEachChild((node) => {
    if (ts.isTypeAliasDeclaration(node) && node.name.text === name && ts.isTypeLiteralNode(node.type)) {
      for (const member of node.type.members) if (member.name) keys.push(member.name.getText(source));
    }
  });
  return keys;
}

test('the committed generated option types have the keys the addon parses', () => {
  const clients: Array<['sms' | 'amocrm' | 'otp', string]> = [
    ['sms', 'SmsOptions'],
    ['amocrm', 'AmoCrmOptions'],
    ['otp', 'OtpOptions'],
  ];
  for (const [client, name] of clients) {
    expect({ name, keys: generatedKeys(name) }).toEqual({ name, keys: native.optionKeys()[client] });
  }
});

// The public option types are the generated ones plus exactly these TypeScript-only keys (a
// logger, the SMS client of the OTP service): tsc refuses this file when a key is added to
// either side, or when a generated key is missing from the public type.
type Extra<Public, Generated> = Exclude<keyof Public, keyof Generated>;
type Missing<Public, Generated> = Exclude<keyof Generated, keyof Public>;
const TS_ONLY: {
  sms: Record<Extra<SmsClientOptions, SmsOptions>, true>;
  amocrm: Record<Extra<AmoCrmClientOptions, AmoCrmOptions>, true>;
  otp: Record<Extra<OtpServiceOptions, OtpOptions>, true>;
} = { sms: { logger: true }, amocrm: { logger: true }, otp: { sms: true, logger: true } };
const NONE_MISSING: [Missing<SmsClientOptions, SmsOptions>, Missing<AmoCrmClientOptions, AmoCrmOptions>, Missing<OtpServiceOptions, OtpOptions>] extends [never, never, never]
  ? true
  : false = true;

test('the TypeScript-only keys are not options of the core (the core would refuse them)', () => {
  expect(NONE_MISSING).toBe(true);
  expect(Object.keys(TS_ONLY.sms).filter((k) => native.optionKeys().sms.includes(k))).toEqual([]);
  expect(Object.keys(TS_ONLY.amocrm).filter((k) => native.optionKeys().amocrm.includes(k))).toEqual([]);
  expect(Object.keys(TS_ONLY.otp).filter((k) => native.optionKeys().otp.includes(k))).toEqual([]);
});

test('the known keys check themselves: kinds are the ones the checker understands', () => {
  const kinds: Kind[] = ['string', 'number', 'count', 'boolean', 'function', 'object', 'array', 'any'];
  for (const s of ALL_SHAPES) {
    for (const field of Object.values(s.fields)) {
      const k = field.kind;
      const listed = typeof k === 'string' ? [k] : Array.isArray(k) ? k : [];
      for (const kind of listed) expect(kinds).toContain(kind);
    }
  }
});

/** Files whose string literals name environment variables uzgate reads. */
function sourceFiles(dir: string, ext: RegExp): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(rel, ext);
    return ext.test(entry.name) ? [rel] : [];
  });
}

test('every environment variable the sources read is in ENV_VARIABLES, and every listed one is read', () => {
  const read = new Map<string, string>();
  const variable = /['"`]((?:SMS|ESKIZ|TWILIO|PLAYMOBILE|AMOCRM|OTP|UZGATE)_[A-Z0-9_]+)['"`]/g;
  const files = [
    ...sourceFiles('nest', /\.ts$/).filter((f) => !f.endsWith('env-names.ts')),
    'bin/uzgate.js',
    ...sourceFiles('src', /\.rs$/),
    ...sourceFiles('crates/core/src', /\.rs$/),
    ...sourceFiles('scripts', /\.(sh|js|mjs)$/),
    ...sourceFiles('__test__/setup', /\.js$/),
  ];
  for (const file of files) {
    for (const m of fs.readFileSync(path.join(ROOT, file), 'utf8').matchAll(variable)) read.set(m[1], file);
  }
  const known = new Set<string>(ENV_VARIABLES);
  const missing = [...read].filter(([name]) => !known.has(name)).map(([name, file]) => `${name} (read in ${file}): add it to ENV_VARIABLES in nest/nestjs/config/env-names.ts`);
  expect(missing).toEqual([]);
  const unread = ENV_VARIABLES.filter((name) => !read.has(name) && !/^UZGATE_(TEST|INSTALL)_/.test(name));
  expect(unread).toEqual([]);
});
