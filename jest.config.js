/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Type checking is done once by `npm run build` (tsc); ts-jest only transpiles (isolatedModules in
    // tsconfig.jest.json), which keeps the suite fast.
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json', diagnostics: false }],
  },
  // The workspace package is compiled to packages/*/dist by `npm run build`; tests read its source so a
  // change to a shared rule is tested without a rebuild.
  moduleNameMapper: { '^@managed-dev/contract$': '<rootDir>/packages/contract/src/index.ts' },
  testTimeout: 60000,
  // One throwaway PostgreSQL cluster for the whole run, started by the first test that needs it
  // (test/support/postgres.ts) and stopped here at the end.
  globalSetup: '<rootDir>/test/support/postgres-global-setup.ts',
  globalTeardown: '<rootDir>/test/support/postgres-global-teardown.ts',
};
