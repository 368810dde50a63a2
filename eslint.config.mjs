// ESLint for the TypeScript layer and the scripts around it (`npm run lint`, after rustfmt, clippy
// and tsc). TypeScript files get typescript-eslint's strict type-checked rules against the root
// tsconfig.json (which includes nest/, packages/sandbox/src/, __test__/, examples/ and bench/, with `uzgate` mapped to the
// sources, so linting needs no build); plain JavaScript workers and scripts get ESLint's
// recommended rules. Rules are turned off only narrowly, each with the reason next to it.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    // Generated (napi: index.js, index.d.ts) or build output.
    // examples/consumer is a separate app as `nest new` lays it out (its own package.json and
    // tsconfig, installed from the packed tarballs by scripts/consumer-e2e.sh): not part of the
    // repository's TypeScript project, so not linted against it.
    ignores: ['examples/consumer/**', 'dist/**', 'nest/generated/**', 'examples/nest-app/dist/**', 'target/**', 'npm/**', 'index.js', 'index.d.ts', 'coverage/**', 'packages/sandbox/dist/**', 'packages/sandbox/npm/**', 'packages/sandbox/index.js', 'packages/sandbox/index.d.ts'],
  },
  {
    files: ['nest/**/*.ts', 'packages/sandbox/src/**/*.ts', '__test__/**/*.ts', 'examples/**/*.ts', 'bench/**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.strictTypeChecked],
    languageOptions: {
      parserOptions: {
        project: './tsconfig.json',
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // Numbers print as expected in messages and URLs; objects, undefined and null stay refused.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // `const { a: _a, ...rest } = x` is how an object is copied without some keys.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
      // A Nest module is an empty class carrying its @Module() decorator.
      '@typescript-eslint/no-extraneous-class': ['error', { allowWithDecorator: true }],
    },
  },
  {
    // Tests assert on values their libraries type as `any`: Jest's asymmetric matchers
    // (`expect.objectContaining(…)`, `expect.any(String)`), supertest's `res.body`, Nest's
    // `getHttpServer()`, JSON read back from token files, and errors caught with
    // `.catch((e) => e)` to check their `code`. The assertions check those values at run time;
    // `any` written by hand (no-explicit-any) stays refused here too.
    files: ['__test__/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      // A test reads a value it has just produced or asserted (a regex match, a header, a map
      // entry, a worker's reply); when it is missing the test fails on that line all the same.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Stand-ins for user code (custom token stores, listeners' close()) are `async` like the
      // code they stand for: they return promises, and a throw inside becomes a rejection.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Nest declares its application option bags as classes (NestApplicationOptions extends the
    // class NestApplicationContextOptions) and takes them as object literals; these files create
    // Nest applications.
    files: ['examples/nest-app/src/create-app.ts', '__test__/nest-callbacks.test.ts'],
    rules: { '@typescript-eslint/no-unsafe-class-instance-assignment': 'off' },
  },
  {
    files: ['nest/**/*.js', '__test__/**/*.js', 'examples/**/*.js', 'bench/**/*.js', 'bin/**/*.js', 'scripts/**/*.js', '*.js'],
    extends: [js.configs.recommended],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { ...globals.node },
    },
  },
  {
    files: ['scripts/**/*.mjs', '*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: {
      sourceType: 'module',
      globals: { ...globals.node },
    },
  },
);
