// Lint: type-aware rules everywhere, workflow determinism rules for workflows/, and the layering the
// README promises (test/lint/layering.test.ts proves each rule fires on a probe file).
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'fs/promises', 'http', 'http2', 'https', 'net', 'os', 'path', 'perf_hooks', 'process', 'readline', 'stream', 'timers', 'tls', 'url', 'util', 'worker_threads', 'zlib'];
const ioModules = ['pg', 'kysely', 'fastify', 'nodemailer', 'jsforce', 'smtp-server', 'pino', 'undici', '@temporalio/worker', '@temporalio/client', '@temporalio/activity'];

/** A relative import of one of the project's top-level folders, from any depth ('../db', '../../db/x'). */
const topLevel = (...folders) => `^(\\.\\./)+(${folders.join('|')})(/|$)`;

/** One `no-restricted-imports` per folder (flat config replaces, not merges, a rule set twice for a file). */
const layer = (files, message, { paths = [], folders = [] }) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', {
      paths: paths.map((name) => ({ name, message, allowTypeImports: true })),
      patterns: folders.length ? [{ regex: topLevel(...folders), message, allowTypeImports: true }] : [],
    }],
  },
});

// jsforce lives behind integrations/salesforce/ (typed errors, the refresh guard, our own Bulk paging).
const noJsforce = { name: 'jsforce', message: 'Use integrations/salesforce/ (typed errors, refresh guard, Bulk paging); jsforce is not imported elsewhere.' };

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.data/**', '.tools/**', 'coverage/**', 'jest.config.js', 'eslint.config.mjs'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    // Workflow code is replayed: it must be deterministic and free of I/O.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [...nodeBuiltins, ...nodeBuiltins.map((m) => `node:${m}`), ...ioModules].map((name) => ({ name, message: 'Workflows must not import Node built-ins or I/O modules; use activities.', allowTypeImports: true })),
        patterns: [
          { group: ['node:*'], message: 'Workflows must not import Node built-ins.' },
          { group: ['**/activities', '**/activities/*', '!**/activities/types', '**/db', '**/db/*', '**/api/*', '**/worker/*', '**/scripts/*', '**/services/*', '**/integrations/*', '**/temporal/*'], message: 'Workflows import activity types only (import type), and no I/O code.', allowTypeImports: true },
        ],
      }],
    },
  },
  // The API: thin handlers over services; a Temporal client, never a worker; no SQL.
  {
    files: ['api/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          { name: '@temporalio/worker', message: 'The API uses @temporalio/client only.' },
          { name: 'kysely', message: 'No SQL in the API: call a service (services/).', allowTypeImports: true },
          { name: 'pg', message: 'No SQL in the API: call a service (services/).', allowTypeImports: true },
          noJsforce,
        ],
        patterns: [
          { regex: topLevel('activities', 'worker', 'temporal/worker', 'temporal/scrub-activity-failures'), message: 'The API imports no activities and no worker code (services/ and temporal/ starters instead).' },
        ],
      }],
    },
  },
  layer(['activities/**/*.ts'], 'Activities import no API code.', { folders: ['api'] }),
  layer(['domain/**/*.ts'], 'domain/ is pure rules: no database, HTTP, Temporal client or I/O layers.', {
    paths: ['pg', 'kysely', 'fastify', 'jsforce', '@temporalio/client', '@temporalio/worker', '@temporalio/activity'],
    folders: ['db', 'api', 'activities', 'services', 'temporal', 'integrations', 'worker', 'scripts'],
  }),
  layer(['services/**/*.ts'], 'Services are HTTP-agnostic and worker-agnostic: no API, activity or worker code.', {
    paths: ['fastify', '@temporalio/worker', 'jsforce'],
    folders: ['api', 'activities', 'worker', 'temporal/worker', 'scripts'],
  }),
  layer(['integrations/**/*.ts'], 'Integration clients are leaves: they import domain/ and libraries only.', {
    paths: ['pg', 'kysely', 'fastify', '@temporalio/worker', '@temporalio/client'],
    folders: ['api', 'activities', 'db', 'services', 'worker', 'temporal', 'scripts'],
  }),
  {
    // Everything else may use jsforce only through integrations/salesforce/ (the emulator's own fidelity test excepted).
    files: ['db/**/*.ts', 'temporal/**/*.ts', 'worker/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts', 'test/**/*.ts'],
    ignores: ['test/integrations/salesforce/emulator.test.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [noJsforce] }] },
  },
);
