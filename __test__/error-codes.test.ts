/**
 * The TypeScript code union (`ERROR_CODES` in nest/errors.ts) against core's one list, read from
 * the addon: a code on one side only fails here, naming it.
 */
import { ERROR_CODES, UzgateError } from '../nest';
import { native } from '../nest/native';

const fromCore: string[] = native.errorCodes();

test('core lists 19 distinct codes', () => {
  expect(fromCore).toHaveLength(19);
  expect(new Set(fromCore).size).toBe(fromCore.length);
});

test('every code of core is in the TypeScript union', () => {
  const union = new Set<string>(ERROR_CODES);
  expect(fromCore.filter((code) => !union.has(code))).toEqual([]);
});

test('every code of the TypeScript union exists in core', () => {
  const core = new Set(fromCore);
  expect(ERROR_CODES.filter((code) => !core.has(code))).toEqual([]);
});

test('the union keeps core order, so the two lists read alike', () => {
  expect([...ERROR_CODES]).toEqual(fromCore);
});

test('a code core throws keeps its code through UzgateError.from', () => {
  for (const code of fromCore) {
    const thrown = Object.assign(new Error('x'), { code });
    expect(UzgateError.from(thrown).code).toBe(code);
  }
});
