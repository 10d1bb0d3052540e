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
