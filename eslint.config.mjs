// Lint: type-aware rules everywhere, and workflow determinism rules for workflows/.
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'fs/promises', 'http', 'http2', 'https', 'net', 'os', 'path', 'perf_hooks', 'process', 'readline', 'stream', 'timers', 'tls', 'url', 'util', 'worker_threads', 'zlib'];
const ioModules = ['pg', 'kysely', 'fastify', 'nodemailer', 'jsforce', 'smtp-server', 'pino', 'undici', '@temporalio/worker', '@temporalio/client', '@temporalio/activity'];

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
          { group: ['**/activities', '**/activities/*', '!**/activities/types', '**/db', '**/db/*', '**/api/*', '**/worker/*', '**/scripts/*'], message: 'Workflows import activity types only (import type), and no I/O code.', allowTypeImports: true },
        ],
      }],
    },
  },
  {
    // The API talks to Temporal as a client only.
    files: ['api/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: '@temporalio/worker', message: 'The API uses @temporalio/client only.' }] }],
    },
  },
);
