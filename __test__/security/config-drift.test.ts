/**
 * The lists that make configuration fail closed must not drift from what uzgate really takes:
 * the known keys of each options object (nest/known-options.ts) against the generated
 * `index.d.ts` and the TypeScript layer's interfaces, and the known environment variables
 * (nest/nestjs/config/env-names.ts) against the names the sources read. Each failure says which
 * key or variable to add where.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { ALL_SHAPES } from '../../nest/known-options';
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

function driftOf(s: Shape, declared: Map<string, Property>, where: string, tsOnlyExpected: boolean): string[] {
  const problems: string[] = [];
  const listed = Object.keys(s.fields).filter((k) => tsOnlyExpected || !s.tsOnly.includes(k));
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
      problems.push(`${s.name}.${key} is in ${KNOWN_OPTIONS} but not in ${where}: remove it there (or list it in the shape's tsOnly if only the TypeScript layer has it)`);
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
    problems.push(...driftOf(s, declared, 'index.d.ts', false));
  }
  expect(problems).toEqual([]);
});

/** The public TypeScript interfaces that wrap the generated ones, with their extra keys. */
const TS_LAYER: Array<[string, string, string]> = [
  ['SmsClientOptions', 'nest/sms-client.ts', 'SmsClientOptions'],
  ['EskizOptions', 'nest/sms-client.ts', 'EskizOptions'],
  ['TwilioOptions', 'nest/sms-client.ts', 'TwilioOptions'],
  ['ConsoleOptions', 'nest/sms-client.ts', 'ConsoleOptions'],
  ['AmoCrmClientOptions', 'nest/amocrm-client.ts', 'AmoCrmClientOptions'],
  ['OtpOptions', 'nest/otp-service.ts', 'OtpServiceOptions'],
];

test("the TypeScript layer's option interfaces have exactly the listed keys (tsOnly included)", () => {
  const problems: string[] = [];
  for (const [shapeName, file, interfaceName] of TS_LAYER) {
    const s = ALL_SHAPES.find((x) => x.name === shapeName)!;
    const declared = interfaces(file).get(interfaceName);
    if (!declared) {
      problems.push(`${file} has no interface ${interfaceName}`);
      continue;
    }
    // Kinds differ on purpose there (unions of store shapes, logger functions): keys and optionality only.
    const keysOnly = new Map([...declared].map(([k, p]) => [k, { ...p, kind: '?' }]));
    problems.push(...driftOf(s, keysOnly, `${file} (${interfaceName})`, true));
  }
  expect(problems).toEqual([]);
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
  const variable = /['"`]((?:SMS|ESKIZ|TWILIO|AMOCRM|OTP|UZGATE)_[A-Z0-9_]+)['"`]/g;
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
