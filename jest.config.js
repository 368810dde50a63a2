/**
 * Jest runs the TypeScript sources of nest/ and of the sandbox package (`uzgate-sandbox`, mapped
 * to packages/sandbox/src/) against the built native addons. Every log line of
 * the run is captured (UZGATE_LOG_FILE) and scanned for leaked secrets at the end.
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__test__'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
  moduleNameMapper: {
    '^uzgate-sandbox$': '<rootDir>/packages/sandbox/src/index.ts',
  },
  testTimeout: 60000,
  globalSetup: '<rootDir>/__test__/setup/log-capture.js',
  globalTeardown: '<rootDir>/__test__/setup/log-scan.js',
};
