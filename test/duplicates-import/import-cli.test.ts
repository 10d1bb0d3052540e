import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from '../../scripts/import-cli';
import { listen, startWorld, type World } from './world';

/** `npm run import -- <file.csv>`: the command-line client against a listening API. */
jest.setTimeout(90_000);
let w: World;
let dir: string;
beforeAll(async () => {
  w = await startWorld();
  dir = mkdtempSync(path.join(os.tmpdir(), 'crm-import-cli-'));
});
afterAll(async () => {
  await w?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('parses its options', () => {
  const { file, query } = parseArgs(['a.csv', '--dry-run', '--on-existing=skip', '--map', 'email=E-Mail']);
  expect(file).toBe('a.csv');
  expect(Object.fromEntries(query)).toEqual({ dryRun: 'true', onExisting: 'skip', mapping: '{"email":"E-Mail"}' });
  expect(() => parseArgs([])).toThrow(/usage/);
});

it('uploads, shows progress, prints the summary and saves the error report next to the file', async () => {
  const base = await listen(w.app);
  const file = path.join(dir, 'people.csv');
  writeFileSync(file, 'email,firstName\ncli-1@x.example,One\nnot-valid,Two\ncli-3@x.example,Three\n');
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/import-cli.ts', file], { cwd: path.resolve(__dirname, '../..'), env: { PATH: process.env.PATH, CRM_API_URL: base, CRM_API_KEY: w.keys.rep } });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  expect({ code, out }).toMatchObject({ code: 0, out: expect.stringContaining('rows 3: 2 created, 0 updated, 0 unchanged, 0 skipped, 1 failed') });
  expect(out).toContain(`error report: ${path.join(dir, 'people.errors.csv')}`);
  expect(readFileSync(path.join(dir, 'people.errors.csv'), 'utf8')).toContain('3,email,INVALID_EMAIL');
});
