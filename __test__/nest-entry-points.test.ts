/** `uzgate` stays loadable without Nest; `uzgate/nestjs` without terminus. */
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.join(__dirname, '..');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sources(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

const imports = (file: string, pkg: string) => new RegExp(`from '${pkg}|require\\('${pkg}`).test(fs.readFileSync(file, 'utf8'));

test('nothing outside nest/nestjs imports @nestjs/*', () => {
  const offenders = sources(path.join(root, 'nest'))
    .filter((f) => !f.includes(`${path.sep}nestjs${path.sep}`))
    .filter((f) => imports(f, '@nestjs/'));
  expect(offenders).toEqual([]);
});

test('only nest/nestjs/health imports @nestjs/terminus', () => {
  const offenders = sources(path.join(root, 'nest', 'nestjs'))
    .filter((f) => !f.includes(`${path.sep}health${path.sep}`))
    .filter((f) => imports(f, '@nestjs/terminus'));
  expect(offenders).toEqual([]);
});

test('package.json publishes uzgate, uzgate/nestjs and uzgate/nestjs/health for old and new resolution', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  expect(pkg.exports).toEqual({
    '.': { types: './dist/index.d.ts', default: './dist/index.js' },
    './nestjs': { types: './dist/nestjs/index.d.ts', default: './dist/nestjs/index.js' },
    './nestjs/health': { types: './dist/nestjs/health/index.d.ts', default: './dist/nestjs/health/index.js' },
    './package.json': './package.json',
  });
  expect(pkg.typesVersions['*']).toEqual({ nestjs: ['dist/nestjs/index.d.ts'], 'nestjs/health': ['dist/nestjs/health/index.d.ts'] });
  for (const target of ['nest/nestjs/index.ts', 'nest/nestjs/health/index.ts']) {
    expect(fs.existsSync(path.join(root, target))).toBe(true);
  }
  expect(pkg.peerDependenciesMeta['@nestjs/terminus']).toEqual({ optional: true });
});
