/**
 * The layering the README promises is enforced by lint (eslint.config.mjs). Each rule is proved to
 * fire: a probe file is written into the folder, linted with the project's real config, and every
 * forbidden import must be reported (and the allowed control import must not).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const root = path.resolve(__dirname, '../..');
const run = promisify(execFile);

interface Probe {
  folder: string;
  /** Each entry: [import specifier, should it be refused?] */
  imports: [string, boolean][];
}

const probes: Probe[] = [
  { folder: 'api', imports: [['../activities', true], ['../worker/main', true], ['../temporal/worker', true], ['@temporalio/worker', true], ['kysely', true], ['jsforce', true], ['../services/contacts/contacts', false], ['../temporal/client', false]] },
  { folder: 'activities', imports: [['../api/app', true], ['../db/database', false]] },
  { folder: 'domain', imports: [['pg', true], ['kysely', true], ['fastify', true], ['../db/database', true], ['../api/app', true], ['../activities', true], ['../services/errors', true], ['zod', false], ['./duration', false]] },
  { folder: 'services', imports: [['../api/app', true], ['../activities', true], ['../temporal/worker', true], ['fastify', true], ['../db/database', false], ['../temporal/enrollment-workflows', false]] },
  { folder: 'integrations', imports: [['../db/database', true], ['../api/app', true], ['../services/errors', true], ['kysely', true], ['../domain/duration', false]] },
  { folder: 'workflows', imports: [['node:fs', true], ['pg', true], ['../activities', true], ['../services/errors', true], ['@temporalio/workflow', false]] },
  { folder: 'db', imports: [['jsforce', true], ['kysely', false]] },
];

interface LintMessage {
  ruleId: string | null;
  line: number;
}

const tag = randomBytes(4).toString('hex');
const files = probes.map((p) => path.join(root, p.folder, `lint-probe-${tag}.ts`));

beforeAll(() => {
  probes.forEach((probe, i) => {
    // One import per line: line n+1 holds import n.
    const body = probe.imports.map(([spec], n) => `import * as m${n} from '${spec}';`).join('\n');
    writeFileSync(files[i]!, `${body}\nexport const probe = [${probe.imports.map((_, n) => `m${n}`).join(', ')}];\n`);
  });
});
afterAll(() => {
  for (const file of files) rmSync(file, { force: true });
});

it('refuses every forbidden import in every layer, and only those', async () => {
  const eslint = path.join(root, 'node_modules/.bin/eslint');
  // ESLint exits 1 when it reports errors: that is the expected outcome here.
  const output = await run(eslint, ['--format', 'json', '--rule', '{"@typescript-eslint/no-unused-vars":"off"}', ...files], { cwd: root, maxBuffer: 16 * 1024 * 1024 }).then(
    (r) => r.stdout,
    (err: { stdout?: string }) => err.stdout ?? '',
  );
  const results = JSON.parse(output) as { filePath: string; messages: LintMessage[] }[];
  probes.forEach((probe, i) => {
    const result = results.find((r) => r.filePath === files[i]);
    expect(result).toBeDefined();
    const flagged = new Set(result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.line));
    const expected = new Set(probe.imports.flatMap(([, refused], n) => (refused ? [n + 1] : [])));
    expect({ folder: probe.folder, flagged: [...flagged].sort() }).toEqual({ folder: probe.folder, flagged: [...expected].sort() });
  });
}, 120_000);
