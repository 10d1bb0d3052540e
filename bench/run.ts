import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../api/app';
import { loadConfig } from '../domain/config';
import { adminKey, createSequence, insertContacts } from './fixtures';
import { BENCH_SECRETS, compileWorker, startInfra, startWorkerProcess, type WorkerProcess } from './infra';
import { enrollVersusNoop, eventsPerFirstStep, eventsPerHistory, firstStepSends, round, sleepingRss, type Rate } from './phases';
import { perUnit } from './cpu';
import { clusterSequencePhases, printClusterRounds } from './cluster';
import { forecastVersusSum, runForecastAlone, type ForecastBenchResult } from './forecast';
import { printDuplicatesImportTable, runDuplicatesImportBench } from './duplicates-import-run';
import { printErasureTable, runErasureBench } from './erasure';
import { printSyncTable, syncBench } from './sync';
import { printSyncPushTable, syncPushBench } from './sync-push';

/**
 * `npm run bench` (tsx bench/run.ts): issue 3's sequence benchmarks on servers it starts itself.
 * BENCH_CONTACTS (default 10000) scales the run. Prints a table; writes bench/results/latest.json.
 */
const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 10_000);
const TARGETS = { enrollVsNoopRatio: 0.7, workerRssMiB: 1024, eventsPerHistory: 200 };
const log = (msg: string) => console.log(`[bench] ${msg}`);
/** `npm run bench -- --only=import,dedup` runs only those phases (default: all: sequences, import, dedup, forecast, erasure, sync, sync-push). */
const PHASES = ['sequences', 'import', 'dedup', 'forecast', 'erasure', 'sync', 'sync-push'];
/** Contacts of the CRM sync initial load (issue 10: 100,000). */
const SYNC_CONTACTS = Number(process.env.BENCH_SYNC_CONTACTS ?? 100_000);
/** `--cluster`: the sequence phases again on `npm run cluster`'s topology, with 1 and then 2 workers (alone unless --only says more). */
const CLUSTER = process.argv.includes('--cluster');
const ONLY = (process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',') ?? (CLUSTER ? ['sequences'] : PHASES)).map((s) => s.trim());
const DEALS = Number(process.env.BENCH_DEALS ?? 1_000_000);
const OUT = path.resolve(__dirname, 'results', 'latest.json');

function printForecast(f: ForecastBenchResult): void {
  console.table([
    { metric: `bare sum() over ${f.deals} deals (baseline)`, value: `${f.bareSumMs} ms`, target: '', result: '' },
    { metric: `forecast over ${f.deals} deals`, value: `${f.forecastMs} ms`, target: '', result: '' },
    { metric: 'sum / forecast ratio', value: String(f.ratio.value), target: `≥ ${f.ratio.target}`, result: f.ratio.pass ? 'PASS' : 'FAIL' },
  ]);
}

/** Merges a run's figures into latest.json: a run of some phases keeps the other phases' last figures. */
function writeResults(results: Record<string, unknown>): void {
  const previous = existsSync(OUT) ? (JSON.parse(readFileSync(OUT, 'utf8')) as Record<string, unknown>) : {};
  mkdirSync(path.dirname(OUT), { recursive: true });
  writeFileSync(OUT, `${JSON.stringify({ ...previous, ...results }, null, 2)}\n`);
  log(`results written to ${OUT}`);
}

async function main(): Promise<void> {
  const unknown = ONLY.filter((p) => !PHASES.includes(p));
  if (unknown.length) throw new Error(`--only=${unknown.join(',')}: expected some of ${PHASES.join(', ')}`);
  if (ONLY.length === 1 && ONLY[0] === 'forecast') {
    // The forecast needs only PostgreSQL: no Temporal server.
    const f = await runForecastAlone(DEALS, log);
    printForecast(f);
    writeResults({ forecast: { ranAt: new Date().toISOString(), ...f } });
    return;
  }
  if (ONLY.includes('sequences')) compileWorker(log);
  const infra = await startInfra(log);
  const workers: WorkerProcess[] = [];
  try {
    const results: Record<string, unknown> = { ranAt: new Date().toISOString(), machine: { cpus: os.cpus().length, memoryGiB: round(os.totalmem() / 1024 ** 3), node: process.version, platform: `${os.platform()} ${os.release()}` } };
    if (ONLY.includes('sequences')) Object.assign(results, await sequencePhases(infra, workers));
    if (CLUSTER) {
      // The dev server's worker stops first: each measurement has the machine to itself.
      for (const w of workers.splice(0)) await w.process.stop({ graceMs: 15_000 });
      const cluster = await clusterSequencePhases({ contacts: CONTACTS, bundlePath: infra.bundlePath, smtpPort: infra.sink.port, workerCounts: [1, 2], excludeCpuOf: infra.serverPids, log });
      printClusterRounds(devFigures(results), cluster.rounds);
      results.cluster = { ranAt: new Date().toISOString(), loadAverageAtEnd: os.loadavg().map((l) => round(l, 2)), ...cluster };
    }
    const duplicatesImport = await runDuplicatesImportBench(infra, ONLY, log);
    if (Object.keys(duplicatesImport).length > 0) {
      printDuplicatesImportTable(duplicatesImport);
      results.duplicatesImport = duplicatesImport;
    }
    if (ONLY.includes('forecast')) {
      log(`forecast over ${DEALS} deals vs a bare sum() of the same rows`);
      const f = await forecastVersusSum(infra.db, DEALS, log);
      printForecast(f);
      results.forecast = { ranAt: new Date().toISOString(), ...f };
    }
    if (ONLY.includes('erasure')) {
      const erasure = await runErasureBench(infra, log);
      printErasureTable(erasure);
      results.erasure = { ranAt: new Date().toISOString(), ...erasure };
    }
    if (ONLY.includes('sync')) {
      const r = await syncBench(infra, SYNC_CONTACTS, log);
      printSyncTable(r);
      results.sync = { ranAt: new Date().toISOString(), ...r };
    }
    if (ONLY.includes('sync-push')) {
      const r = await syncPushBench(infra, log);
      printSyncPushTable(r);
      results.syncPush = { ranAt: new Date().toISOString(), ...r };
    }
    writeResults(results);
  } finally {
    for (const w of workers) await w.process.stop({ graceMs: 15_000 });
    await infra.stop();
  }
}

/** Issue 3's sequence phases (enrollment vs no-op starts, first-step sends, worker RSS, events per history). */
async function sequencePhases(infra: Awaited<ReturnType<typeof startInfra>>, workers: WorkerProcess[]): Promise<Record<string, unknown>> {
  {
    const taskQueue = 'bench-sequences';
    const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'warn', TEMPORAL_ADDRESS: infra.temporalAddress, TEMPORAL_TASK_QUEUE: taskQueue, PUBLIC_BASE_URL: 'http://bench.local', DATABASE_URL: infra.databaseUrl, ...BENCH_SECRETS });
    const app = await buildApp({ db: infra.db, temporal: infra.temporal, config, logger: false });
    await app.ready();
    const key = await adminKey(infra.db);
    const fiveStep = await createSequence(app, key, infra.sink.port, ['PT0S', 'P1D', 'P2D', 'P3D', 'P4D']);
    const contacts = await insertContacts(infra.db, CONTACTS, 'bulk');

    log(`bulk-enrolling ${CONTACTS} contacts through the API vs starting ${CONTACTS} no-op workflows (no worker yet: start cost only)`);
    const { enroll, noop, enrollmentIds, cpuPerStart } = await enrollVersusNoop(app, key, infra, fiveStep, contacts, 'bench-noop');
    log(`CPU ms per start, enrollment ${JSON.stringify(cpuPerStart.enroll)}, no-op ${JSON.stringify(cpuPerStart.noop)}`);

    log('starting the worker process on the enrolled backlog');
    const first = await firstStepSends(infra, fiveStep, CONTACTS, async () => {
      const w = await startWorkerProcess(infra, taskQueue);
      workers.push(w);
      return [w];
    }, log);
    const firstStepEvents = await eventsPerFirstStep(infra, enrollmentIds);
    log('letting the enrollments settle on their P1D timers, then sampling worker RSS');
    const rss = await sleepingRss(infra, first.workers[0]!, enrollmentIds, 15_000);

    log('running 5 enrollments of a 5-step PT0S sequence to completion');
    const instant = await createSequence(app, key, infra.sink.port, ['PT0S', 'PT0S', 'PT0S', 'PT0S', 'PT0S']);
    const events = await eventsPerHistory(infra, app, key, instant, await insertContacts(infra.db, 5, 'history'));
    await app.close();

    const ratio = round(enroll.perSecond / noop.perSecond, 2);
    const results = {
      contacts: CONTACTS,
      noopWorkflowStarts: noop,
      bulkEnrollment: enroll,
      enrollVsNoopRatio: { value: ratio, target: TARGETS.enrollVsNoopRatio, pass: ratio >= TARGETS.enrollVsNoopRatio },
      firstStepSends: first.rate,
      cpuPerFirstStepSend: perUnit(first.cpu, CONTACTS),
      workflowCacheDuringSends: first.workflowCache,
      eventsPerFirstStep: firstStepEvents,
      workerRssSleeping: { mib: rss.rssMiB, sleepingEnrollments: rss.sleeping, targetMiB: TARGETS.workerRssMiB, pass: rss.rssMiB > 0 && rss.rssMiB < TARGETS.workerRssMiB },
      eventsPerHistory5Steps: { max: Math.max(...events), samples: events, target: TARGETS.eventsPerHistory, pass: Math.max(...events) < TARGETS.eventsPerHistory },
    };
    printTable(results);
    return results;
  }
}

/** The dev server's figures of this run, to print beside the cluster's. */
function devFigures(results: Record<string, unknown>): Parameters<typeof printClusterRounds>[0] {
  const r = results as { noopWorkflowStarts?: Rate; bulkEnrollment?: Rate; firstStepSends?: Rate; cpuPerFirstStepSend?: { totalMs: number }; eventsPerFirstStep?: { mean: number } };
  if (!r.noopWorkflowStarts || !r.bulkEnrollment || !r.firstStepSends || !r.cpuPerFirstStepSend || !r.eventsPerFirstStep) return undefined;
  return { noop: r.noopWorkflowStarts, enroll: r.bulkEnrollment, sends: r.firstStepSends, cpuMs: r.cpuPerFirstStepSend.totalMs, events: r.eventsPerFirstStep.mean };
}

function printTable(r: {
  contacts: number;
  noopWorkflowStarts: { perSecond: number; seconds: number };
  bulkEnrollment: { perSecond: number; seconds: number };
  enrollVsNoopRatio: { value: number; target: number; pass: boolean };
  firstStepSends: { perSecond: number; seconds: number };
  cpuPerFirstStepSend: ReturnType<typeof perUnit>;
  eventsPerFirstStep: { mean: number; max: number };
  workerRssSleeping: { mib: number; sleepingEnrollments: number; targetMiB: number; pass: boolean };
  eventsPerHistory5Steps: { max: number; target: number; pass: boolean };
}): void {
  const verdict = (pass: boolean) => (pass ? 'PASS' : 'FAIL');
  console.table([
    { metric: `no-op workflow starts (${r.contacts})`, value: `${r.noopWorkflowStarts.perSecond}/s (${r.noopWorkflowStarts.seconds} s)`, target: '', result: '' },
    { metric: `bulk enrollment via API (${r.contacts})`, value: `${r.bulkEnrollment.perSecond}/s (${r.bulkEnrollment.seconds} s)`, target: '', result: '' },
    { metric: 'enrollment / no-op ratio', value: String(r.enrollVsNoopRatio.value), target: `≥ ${r.enrollVsNoopRatio.target}`, result: verdict(r.enrollVsNoopRatio.pass) },
    { metric: 'first-step sends into the SMTP sink', value: `${r.firstStepSends.perSecond}/s (${r.firstStepSends.seconds} s)`, target: '', result: '' },
    { metric: 'CPU per first-step send, all processes (postgres / temporal / worker)', value: `${r.cpuPerFirstStepSend.totalMs} ms (${r.cpuPerFirstStepSend.byKind.postgres} / ${r.cpuPerFirstStepSend.byKind.temporal} / ${r.cpuPerFirstStepSend.byKind.worker})`, target: '', result: '' },
    { metric: 'history events per enrollment after its first send', value: `${r.eventsPerFirstStep.mean} (max ${r.eventsPerFirstStep.max})`, target: '', result: '' },
    { metric: `worker RSS, ${r.workerRssSleeping.sleepingEnrollments} sleeping enrollments`, value: `${r.workerRssSleeping.mib} MiB`, target: `< ${r.workerRssSleeping.targetMiB} MiB`, result: verdict(r.workerRssSleeping.pass) },
    { metric: 'events per history, 5-step sequence', value: String(r.eventsPerHistory5Steps.max), target: `< ${r.eventsPerHistory5Steps.target}`, result: verdict(r.eventsPerHistory5Steps.pass) },
  ]);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
