/**
 * `npm test` runs two projects (displayName in the output):
 * - `sqlite`: every test, with control planes on the embedded SQLite file (the default store);
 * - `postgres`: the suites that run a control plane (HTTP incl. the authorization matrix, services,
 *   the Terraform end-to-end tests, the examples) again, each control plane on a fresh database of
 *   one throwaway PostgreSQL cluster (test/support/test-store.ts, test/support/postgres.ts).
 * Without PostgreSQL installed the postgres project fails and says how to install it.
 * Focus with `npx jest --selectProjects postgres <path>`.
 */

/** What both projects share. */
const common = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: {
    // Type checking is done once by `npm run build` (tsc); ts-jest only transpiles (isolatedModules in
    // tsconfig.jest.json), which keeps the suite fast.
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json', diagnostics: false }],
  },
  // The workspace package is compiled to packages/*/dist by `npm run build`; tests read its source so a
  // change to a shared rule is tested without a rebuild.
  moduleNameMapper: { '^@managed-dev/contract$': '<rootDir>/packages/contract/src/index.ts' },
};

/** The suites that run a control plane, run again on PostgreSQL. */
const SUITES_ON_BOTH_STORES = [
  '<rootDir>/test/control-plane/http/**/*.test.ts',
  '<rootDir>/test/control-plane/services/**/*.test.ts',
  '<rootDir>/test/provider/managed/**/*.test.ts',
  '<rootDir>/test/examples/**/*.test.ts',
];

/**
 * In those folders, what the postgres project leaves to the sqlite one, and why. Everything else
 * there runs on both stores.
 */
const SQLITE_ONLY = [
  // The crash test kills a process mid-group-commit and reads the SQLite file it left behind.
  '/test/control-plane/services/change-committer\\.crash\\.test\\.ts$',
  // SQLite's group commit (one COMMIT per event-loop turn); PostgreSQL commits each change alone.
  '/test/control-plane/services/change-committer\\.group-commit\\.test\\.ts$',
  // No control plane, no store: pure units, and the API client against a scripted loopback HTTP server.
  '/test/control-plane/services/(last-used-recorder|rate-limiter)\\.test\\.ts$',
  '/test/control-plane/http/json-body\\.test\\.ts$',
  '/test/provider/managed/(api-diagnostics|api-key-diagnostics|preset-scopes-function|provider|validation)\\.test\\.ts$',
  '/test/provider/managed/client/(api-client|backoff|problem)\\.test\\.ts$',
  '/test/provider/managed/resources/',
  '/test/examples/synth\\.test\\.ts$',
  // `npm run demo` is the newcomer's first command: the embedded store, nothing else installed.
  '/test/examples/demo\\.test\\.ts$',
];

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 60000,
  // One throwaway PostgreSQL cluster for the whole run, started by the first test that needs it
  // (test/support/postgres.ts) and stopped here at the end. Global hooks stay at the top level:
  // jest runs them once for all projects.
  globalSetup: '<rootDir>/test/support/postgres-global-setup.ts',
  globalTeardown: '<rootDir>/test/support/postgres-global-teardown.ts',
  projects: [
    { ...common, displayName: 'sqlite', testMatch: ['**/*.test.ts'] },
    {
      ...common,
      displayName: 'postgres',
      testMatch: SUITES_ON_BOTH_STORES,
      testPathIgnorePatterns: ['/node_modules/', ...SQLITE_ONLY],
      setupFiles: ['<rootDir>/test/support/postgres-store.setup.ts'],
    },
  ],
};
