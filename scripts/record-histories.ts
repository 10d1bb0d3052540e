/**
 * `npm run record-histories`: runs the tests that record workflow histories with RECORD_HISTORIES=1,
 * so histories missing from test/histories/ are written (existing ones are never overwritten: running
 * executions of older code still replay against them). `npm test` itself never records.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..');

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return testFiles(full);
    return name.endsWith('.test.ts') ? [full] : [];
  });
}

const recorders = testFiles(path.join(root, 'test')).filter((f) => /\brecordHistory\(/.test(readFileSync(f, 'utf8')));
console.log(`recording missing histories with: ${recorders.map((f) => path.relative(root, f)).join(', ')}`);
const result = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), ...recorders], { cwd: root, stdio: 'inherit', env: { ...process.env, RECORD_HISTORIES: '1' } });
process.exit(result.status ?? 1);
