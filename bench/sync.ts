/**
 * Issue 10's benchmarks (`npm run bench -- --only=sync`): the initial load of BENCH_SYNC_CONTACTS
 * (100,000) Contacts from the Salesforce emulator, end to end (Bulk API 2.0 job, result pages read by
 * the engine, rules, contacts + link map + state written) on a worker process, against a raw COPY of
 * the same rows into the same table in the same run; the worker's RSS sampled during the load (records
 * are streamed page by page, never held as one array); and an incremental cycle with 1,000 changed
 * records: API calls used and wall time.
 */
import { sql } from 'kysely';
import { performance } from 'node:perf_hooks';
import { poolOf } from '../db/database';
import { normalizeEmail } from '../domain/email-address';
import { waitFor } from '../scripts/managed-process';
import { openCopyWriter } from '../db/copy-writer';
import { connectorService } from '../services/sync/connectors';
import { startSalesforceEmulator } from '../test/emulators/salesforce';
import { BENCH_SECRETS, freshDatabase, startWorkerProcess, type BenchInfra } from './infra';
import { cpuBetween, snapshotCpu, type CpuUsage } from './cpu';
import { round } from './phases';

/**
 * RSS is flat when the lowest sample of the load's last third is within this of the middle third's
 * lowest. The lows are what stays live after V8's collections: records held as they are read would lift
 * every one of them (a third of 100,000 snapshots is well over this), while the peaks between
 * collections say where a major GC fell, not whether anything grew.
 */
export const SYNC_TARGETS = { loadVsCopyRatio: 0.5, incrementalApiCalls: 5, rssLowGrowthMiB: 48 };
const CREDENTIALS = { clientId: 'bench-app', clientSecret: 'bench-app-secret' };
const T0 = '2026-03-02T10:00:00.000Z';
const CHANGED = 1_000;

export interface SyncBench {
  contacts: number;
  rawCopySeconds: number;
  initialLoadSeconds: number;
  ratio: { value: number; target: number; pass: boolean };
  workerRss: { samples: number; atStartMiB: number; firstHalfMaxMiB: number; secondHalfMaxMiB: number; middleThirdLowMiB: number; lastThirdLowMiB: number; lowGrowthMiB: number; seriesMiB: number[]; targetMiB: number; pass: boolean };
  incremental: { changed: number; apiCalls: number; targetCalls: number; seconds: number; pass: boolean };
  /** CPU of the raw COPY and of the load by process (less sensitive than wall time to other runs on a shared machine). */
  cpu: { rawCopy: CpuUsage; initialLoad: CpuUsage };
}

const mib = (bytes: number) => round(bytes / 1024 / 1024);

export async function syncBench(infra: BenchInfra, contacts: number, log: (m: string) => void): Promise<SyncBench> {
  const emulator = await startSalesforceEmulator({ ...CREDENTIALS, now: T0, settings: { bulkPollsUntilComplete: 0 } });
  const copyDb = await freshDatabase(infra, 'bench_sync_copy');
  const syncDb = await freshDatabase(infra, 'bench_sync');
  let worker: Awaited<ReturnType<typeof startWorkerProcess>> | undefined;
  try {
    const [accountId] = emulator.control.seed('Account', [{ Name: 'Bench Co', Type: 'Customer', Website: 'https://bench.example' }]);
    // Stamped an hour before the load: the change feed's first window (it overlaps the load by a minute) holds only real changes.
    emulator.control.generate('Contact', contacts, { accountId, startAt: new Date(Date.parse(T0) - 3_600_000).toISOString(), spacingMs: 0 });

    // Baseline: the same rows, already in COPY form, into `contacts` of an empty database.
    const company = await copyDb.db.insertInto('companies').values({ name: 'Bench Co', domains: ['bench.example'], external_ids: '{}' }).returning('id').executeTakeFirstOrThrow();
    const rows = emulator.control.records('Contact').map((r) => [r.Email as string, normalizeEmail(r.Email as string), r.FirstName as string, r.LastName as string, company.id, 'unknown', 'active']);
    log(`raw COPY of ${rows.length} contacts (baseline)`);
    let cpuBefore = snapshotCpu();
    let t = performance.now();
    const writer = await openCopyWriter(poolOf(copyDb.db), 'COPY contacts (email, email_normalized, first_name, last_name, company_id, consent, status) FROM STDIN');
    for (const row of rows) await writer.write(row);
    await writer.finish();
    const rawCopySeconds = (performance.now() - t) / 1000;
    const rawCopyCpu = cpuBetween(cpuBefore, snapshotCpu());
    rows.length = 0;

    const taskQueue = 'bench-sync';
    worker = await startWorkerProcess(infra, taskQueue, { databaseUrl: syncDb.url, env: { DEDUP_SCAN_AT: 'off', CRM_SYNC_BULK_PAGE_SIZE: '5000' } });
    const service = connectorService({ db: syncDb.db, temporal: infra.temporal, config: { SECRETS_KEY: BENCH_SECRETS.SECRETS_KEY, TEMPORAL_TASK_QUEUE: taskQueue } });
    const rss: number[] = [];
    const sampler = setInterval(() => {
      const r = worker?.rssBytes();
      if (r) rss.push(r);
    }, 200);
    log(`initial load of ${contacts} contacts from the emulator (Bulk API 2.0) on a worker process`);
    cpuBefore = snapshotCpu();
    t = performance.now();
    const connector = await service.create({ type: 'salesforce', name: 'Bench', settings: { loginUrl: emulator.url, ...CREDENTIALS, objects: ['Account', 'Contact'], cadence: 'PT1H', recordCap: 5_000, detectDuplicatesOnCreate: false } }, { userId: null, role: 'system' });
    const cycleDone = async (after: Date) =>
      syncDb.db.selectFrom('sync_cycles').selectAll().where('connector_id', '=', connector.id).where('started_at', '>=', after).where('status', '=', 'completed').orderBy('started_at', 'desc').executeTakeFirst();
    const started = new Date(Date.now() - 1_000);
    await waitFor('the initial load', async () => (await cycleDone(started)) !== undefined, { timeoutMs: 900_000, intervalMs: 100 });
    const initialLoadSeconds = (performance.now() - t) / 1000;
    const initialLoadCpu = cpuBetween(cpuBefore, snapshotCpu());
    clearInterval(sampler);
    const synced = await syncDb.db.selectFrom('sync_records').select(sql<string>`count(*)`.as('n')).where('connector_id', '=', connector.id).where('status', '=', 'synced').executeTakeFirstOrThrow();
    if (Number(synced.n) !== contacts + 1) throw new Error(`expected ${contacts + 1} synced records, got ${synced.n}`);

    // Incremental: 1,000 Contacts change; the CRM's clock moves on (and our skew with it, as real clocks would).
    log(`incremental cycle with ${CHANGED} changed contacts`);
    const ids = emulator.control.records('Contact').slice(0, CHANGED).map((r) => r.Id as string);
    for (const id of ids) emulator.control.edit(id, { Title: 'Changed' });
    // Let the overlap of the initial load's watermark drain first, then measure a clean window.
    emulator.control.advanceClock(2 * 60_000);
    await syncDb.db.updateTable('connectors').set({ server_clock_skew_ms: sql`server_clock_skew_ms + 120000` }).execute();
    const before = new Date();
    await service.syncNow(connector.id);
    await waitFor('the overlap cycle', async () => (await cycleDone(before)) !== undefined, { timeoutMs: 600_000, intervalMs: 100 });
    for (const id of ids) emulator.control.edit(id, { Title: 'Changed again' });
    emulator.control.advanceClock(2 * 60_000);
    await syncDb.db.updateTable('connectors').set({ server_clock_skew_ms: sql`server_clock_skew_ms + 120000` }).execute();
    const incStart = new Date();
    t = performance.now();
    await service.syncNow(connector.id);
    let cycle: Awaited<ReturnType<typeof cycleDone>>;
    await waitFor('the incremental cycle', async () => (cycle = await cycleDone(incStart)) !== undefined, { timeoutMs: 600_000, intervalMs: 50 });
    const incSeconds = (performance.now() - t) / 1000;
    const incremental = cycle!;
    if (incremental.records_read !== CHANGED) throw new Error(`expected ${CHANGED} records read, got ${incremental.records_read}`);

    const ratio = round(rawCopySeconds / initialLoadSeconds, 2);
    const atStart = rss[0] ?? 0;
    const half = Math.floor(rss.length / 2);
    const firstHalf = Math.max(...rss.slice(0, half), 0);
    const secondHalf = Math.max(...rss.slice(half), 0);
    const third = Math.floor(rss.length / 3);
    const middleLow = Math.min(...rss.slice(third, 2 * third));
    const lastLow = Math.min(...rss.slice(2 * third));
    const series = rss.filter((_, i) => i % Math.max(1, Math.floor(rss.length / 12)) === 0).map(mib);
    return {
      contacts,
      rawCopySeconds: round(rawCopySeconds, 2),
      initialLoadSeconds: round(initialLoadSeconds, 2),
      ratio: { value: ratio, target: SYNC_TARGETS.loadVsCopyRatio, pass: ratio >= SYNC_TARGETS.loadVsCopyRatio },
      workerRss: {
        samples: rss.length,
        atStartMiB: mib(atStart),
        firstHalfMaxMiB: mib(firstHalf),
        secondHalfMaxMiB: mib(secondHalf),
        middleThirdLowMiB: mib(middleLow),
        lastThirdLowMiB: mib(lastLow),
        lowGrowthMiB: mib(lastLow - middleLow),
        seriesMiB: series,
        targetMiB: SYNC_TARGETS.rssLowGrowthMiB,
        pass: rss.length >= 6 && mib(lastLow - middleLow) <= SYNC_TARGETS.rssLowGrowthMiB,
      },
      incremental: { changed: CHANGED, apiCalls: incremental.api_calls, targetCalls: SYNC_TARGETS.incrementalApiCalls, seconds: round(incSeconds, 2), pass: incremental.api_calls <= SYNC_TARGETS.incrementalApiCalls },
      cpu: { rawCopy: rawCopyCpu, initialLoad: initialLoadCpu },
    };
  } finally {
    await worker?.process.stop({ graceMs: 15_000 });
    await emulator.stop();
    await copyDb.db.destroy();
    await syncDb.db.destroy();
  }
}

export function printSyncTable(r: SyncBench): void {
  const verdict = (pass: boolean) => (pass ? 'PASS' : 'FAIL');
  console.table([
    { metric: `raw COPY of ${r.contacts} contacts (baseline)`, value: `${r.rawCopySeconds} s`, target: '', result: '' },
    { metric: `initial load of ${r.contacts} contacts (emulator → PostgreSQL, end to end)`, value: `${r.initialLoadSeconds} s`, target: '', result: '' },
    { metric: 'CPU: raw COPY (PostgreSQL) / load (PostgreSQL, worker, emulator)', value: `${r.cpu.rawCopy.byKind.postgres} ms / ${r.cpu.initialLoad.byKind.postgres}, ${r.cpu.initialLoad.byKind.worker}, ${r.cpu.initialLoad.benchProcessMs} ms`, target: '', result: '' },
    { metric: 'COPY / initial load ratio', value: String(r.ratio.value), target: `≥ ${r.ratio.target}`, result: verdict(r.ratio.pass) },
    { metric: `worker RSS during the load (${r.workerRss.samples} samples)`, value: `start ${r.workerRss.atStartMiB}, peak 1st half ${r.workerRss.firstHalfMaxMiB}, 2nd half ${r.workerRss.secondHalfMaxMiB}, low of middle third ${r.workerRss.middleThirdLowMiB}, of last third ${r.workerRss.lastThirdLowMiB} MiB`, target: `last low − middle low ≤ ${r.workerRss.targetMiB} MiB`, result: verdict(r.workerRss.pass) },
    { metric: `incremental cycle, ${r.incremental.changed} changed records`, value: `${r.incremental.apiCalls} API calls, ${r.incremental.seconds} s`, target: `≤ ${r.incremental.targetCalls} calls`, result: verdict(r.incremental.pass) },
  ]);
}
