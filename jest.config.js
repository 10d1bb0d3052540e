/** Jest runs TypeScript through SWC; type checking is `npm run typecheck`. */
const shared = {
  testEnvironment: 'node',
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }],
    // ESM-only packages the tests use are compiled to CommonJS like our own code.
    '^.+\\.m?js$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'ecmascript' } }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!@seriousme/openapi-schema-validator/)'],
  setupFiles: ['<rootDir>/test/harness/setup-env.ts'],
};

/**
 * Two projects, each with its own global setup (Jest runs a project's global setup only when one of
 * its tests is selected): `main` starts PostgreSQL and the Temporal dev server once; `cluster`
 * builds the real multi-service Temporal server (cached in .tools/) for the tests that bring up the
 * production topology (`npm run cluster`) and break it.
 * @type {import('jest').Config}
 */
module.exports = {
  // Temporal workers and PostgreSQL make tests I/O bound; two files at a time fit a 2-core machine.
  maxWorkers: 2,
  // Each test file loads its own copy of the app, the Temporal SDK and the workflow bundle. A worker
  // whose heap is above this after a file is replaced by a fresh one: garbage collection stays cheap,
  // and at the end Jest gives a worker only 500 ms to exit, too little to tear down a heap of a GB or
  // more on a loaded machine ("A worker process has failed to exit gracefully"). The leak that made
  // heaps that big is fixed (services/metrics/registry.ts); what each file still leaves is ~7 MB.
  workerIdleMemoryLimit: '640MB',
  verbose: false,
  // Per project it is ignored (Jest 30 reads it from the global config only).
  testTimeout: 60_000,
  projects: [
    {
      ...shared,
      displayName: 'main',
      roots: ['<rootDir>/test'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/cluster/'],
      globalSetup: '<rootDir>/test/harness/global-setup.ts',
      globalTeardown: '<rootDir>/test/harness/global-teardown.ts',
    },
    {
      ...shared,
      displayName: 'cluster',
      roots: ['<rootDir>/test/cluster'],
      globalSetup: '<rootDir>/test/cluster/harness/global-setup.ts',
      globalTeardown: '<rootDir>/test/cluster/harness/global-teardown.ts',
    },
  ],
};
