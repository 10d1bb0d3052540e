import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildApp } from '../api/app';
import type { Db } from '../db/database';
import { loadConfig } from '../domain/config';
import { spawnManaged, waitFor } from '../scripts/managed-process';
import { adminKey } from './fixtures';
import { dedupScan, importVersusCopy, type DedupBench, type ImportBench } from './duplicates-import';
import { BENCH_SECRETS, type BenchInfra } from './infra';

export const DUPLICATES_IMPORT_TARGETS = { importVsCopyRatio: 0.3, scanSpeedup: 100, precision: 0.95, recall: 0.9 };
const IMPORT_ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 100_000);
const DEDUP_CONTACTS = Number(process.env.BENCH_DEDUP_CONTACTS ?? 100_000);
const NAIVE_SAMPLE = 5_000;
/** COPY and import back to back, this many times: the median round is reported (a shared machine's load moves single runs). */
const IMPORT_ROUNDS = Number(process.env.BENCH_IMPORT_ROUNDS ?? 3);

/** The API in this process and a worker process, both on `url`'s database. */
async function apiAndWorker(infra: BenchInfra, db: Db, url: string) {
  const taskQueue = `bench-import-${Date.now()}`;
  const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'warn', TEMPORAL_ADDRESS: infra.temporalAddress, TEMPORAL_TASK_QUEUE: taskQueue, PUBLIC_BASE_URL: 'http://bench.local', DATABASE_URL: url, ...BENCH_SECRETS });
  const app = await buildApp({ db, temporal: infra.temporal, config, logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const logFile = path.join(infra.dir, `worker-${taskQueue}.log`);
  const worker = spawnManaged('worker', process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
    cwd: path.resolve(__dirname, '..'),
    logFile,
    env: { PATH: process.env.PATH, NODE_ENV: 'production', LOG_LEVEL: 'warn', DATABASE_URL: url, TEMPORAL_ADDRESS: infra.temporalAddress, TEMPORAL_TASK_QUEUE: taskQueue, WORKFLOW_BUNDLE_PATH: infra.bundlePath, PUBLIC_BASE_URL: 'http://bench.local', RECONCILE_EVERY: 'off', DEDUP_SCAN_AT: 'off', ...BENCH_SECRETS },
  });
  await waitFor('the import worker to start polling', async () => existsSync(logFile) && readFileSync(logFile, 'utf8').includes('worker started'), { timeoutMs: 60_000, intervalMs: 200, exited: worker.exited });
  const address = app.server.address() as { port: number };
  return {
    app,
    key: await adminKey(db),
    baseUrl: `http://127.0.0.1:${address.port}`,
    close: async () => {
      await worker.stop({ graceMs: 15_000 });
      await app.close();
    },
  };
}

export async function runDuplicatesImportBench(infra: BenchInfra, only: readonly string[], log: (m: string) => void): Promise<{ importVsCopy?: ImportBench & { target: number; pass: boolean }; dedup?: DedupBench & { targets: object; pass: boolean } }> {
  const out: Awaited<ReturnType<typeof runDuplicatesImportBench>> = {};
  if (only.includes('import')) {
    log(`import of ${IMPORT_ROWS} rows vs raw COPY of the same rows, ${IMPORT_ROUNDS} rounds`);
    const r = await importVersusCopy(infra, (db, url) => apiAndWorker(infra, db, url), IMPORT_ROWS, IMPORT_ROUNDS, log);
    out.importVsCopy = { ...r, target: DUPLICATES_IMPORT_TARGETS.importVsCopyRatio, pass: r.ratio >= DUPLICATES_IMPORT_TARGETS.importVsCopyRatio };
  }
  if (only.includes('dedup')) {
    log(`duplicate scan of ${DEDUP_CONTACTS} labelled contacts vs naive all-pairs on ${NAIVE_SAMPLE}`);
    const r = await dedupScan(infra, DEDUP_CONTACTS, NAIVE_SAMPLE, 2, log);
    const t = DUPLICATES_IMPORT_TARGETS;
    out.dedup = { ...r, targets: { speedup: t.scanSpeedup, precision: t.precision, recall: t.recall }, pass: r.speedup >= t.scanSpeedup && r.precision >= t.precision && r.recall >= t.recall };
  }
  return out;
}

export function printDuplicatesImportTable(r: Awaited<ReturnType<typeof runDuplicatesImportBench>>): void {
  const verdict = (pass: boolean) => (pass ? 'PASS' : 'FAIL');
  const rows: object[] = [];
  if (r.importVsCopy) {
    const i = r.importVsCopy;
    rows.push({ metric: `raw COPY of ${i.rows} rows (baseline)`, value: `${i.rawCopySeconds} s`, target: '', result: '' });
    rows.push({ metric: `CSV import of ${i.rows} rows (upload → completed)`, value: `${i.importSeconds} s (staging ${i.uploadSeconds} s)`, target: '', result: '' });
    rows.push({ metric: `import / COPY throughput ratio (median of ${i.rounds.length} rounds)`, value: `${i.ratio} (${i.rounds.map((x) => x.ratio).join(', ')})`, target: `≥ ${i.target}`, result: verdict(i.pass) });
  }
  if (r.dedup) {
    const d = r.dedup;
    rows.push({ metric: `duplicate scan of ${d.contacts} contacts`, value: `${d.scanSeconds} s (${d.comparisons} name comparisons)`, target: '', result: '' });
    rows.push({ metric: `naive all-pairs, ${d.naiveSampleContacts} → ${d.contacts} extrapolated`, value: `${d.naiveSampleSeconds} s → ${d.naiveExtrapolatedSeconds} s`, target: '', result: '' });
    rows.push({ metric: 'scan speed-up over naive', value: `${d.speedup}×`, target: `≥ ${DUPLICATES_IMPORT_TARGETS.scanSpeedup}×`, result: verdict(d.speedup >= DUPLICATES_IMPORT_TARGETS.scanSpeedup) });
    rows.push({ metric: `precision (${d.foundPairs} pairs found)`, value: String(d.precision), target: `≥ ${DUPLICATES_IMPORT_TARGETS.precision}`, result: verdict(d.precision >= DUPLICATES_IMPORT_TARGETS.precision) });
    rows.push({ metric: `recall (${d.truePairs} true pairs)`, value: String(d.recall), target: `≥ ${DUPLICATES_IMPORT_TARGETS.recall}`, result: verdict(d.recall >= DUPLICATES_IMPORT_TARGETS.recall) });
  }
  console.table(rows);
}
