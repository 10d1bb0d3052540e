/**
 * Erasure benchmark: 200 concurrent erasure requests through the API, each subject with 3 live
 * enrollments (sleeping on a P1D step) and no invoices, run by one worker process against the Books
 * emulator. Reports p50 / p95 of request → `completed` and the throughput (erasures completed per
 * second), as a ratio to the no-op workflow start baseline measured in the same run.
 */
import { performance } from 'node:perf_hooks';
import { buildApp } from '../api/app';
import { createUser, issueApiKey } from '../db/api-keys';
import { loadConfig } from '../domain/config';
import { mapLimit, TEMPORAL_CONCURRENCY } from '../temporal/map-limit';
import { startBooksEmulator } from '../test/emulators/books/books-emulator';
import { adminKey, call, createSequence, insertContacts } from './fixtures';
import { BENCH_SECRETS, startWorkerProcess, type BenchInfra, type WorkerProcess } from './infra';
import { round, type Rate } from './phases';

export interface ErasureBenchResult {
  subjects: number;
  enrollmentsPerSubject: number;
  noopWorkflowStarts: Rate;
  requestToCompletedMs: { p50: number; p95: number; max: number };
  erasures: Rate;
  throughputVsNoopRatio: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

export async function runErasureBench(infra: BenchInfra, log: (m: string) => void, subjects = Number(process.env.BENCH_ERASURES ?? 200)): Promise<ErasureBenchResult> {
  const taskQueue = 'bench-erasure';
  const booksKey = 'bench-books-key';
  const books = await startBooksEmulator({ apiKey: booksKey });
  const integration = { BOOKS_API_URL: books.url, BOOKS_API_KEY: booksKey, ERASURE_ENROLLMENT_STOP_TIMEOUT: 'PT2M' };
  const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'warn', TEMPORAL_ADDRESS: infra.temporalAddress, TEMPORAL_TASK_QUEUE: taskQueue, PUBLIC_BASE_URL: 'http://bench.local', DATABASE_URL: infra.databaseUrl, ...BENCH_SECRETS, ...integration });
  const app = await buildApp({ db: infra.db, temporal: infra.temporal, config, logger: false });
  await app.ready();
  let worker: WorkerProcess | undefined;
  try {
    const admin = await adminKey(infra.db);
    const compliance = (await issueApiKey(infra.db, await createUser(infra.db, 'Bench compliance', 'compliance'), 'bench')).key;
    const sequences = [await createSequence(app, admin, infra.sink.port, ['P1D']), await createSequence(app, admin, infra.sink.port, ['P1D']), await createSequence(app, admin, infra.sink.port, ['P1D'])];
    const contacts = await insertContacts(infra.db, subjects, `erasure-${Date.now()}`);
    log(`enrolling ${subjects} subjects in 3 sequences each (P1D: they stay live)`);
    for (const sequenceId of sequences) await call(app, admin, 'POST', `/v1/sequences/${sequenceId}/enrollments`, { contactIds: contacts });
    worker = await startWorkerProcess(infra, taskQueue, { env: integration });

    log(`baseline: starting ${subjects} no-op workflows`);
    let t = performance.now();
    await mapLimit(contacts, TEMPORAL_CONCURRENCY, (id) => infra.temporal.workflow.start('noopWorkflow', { workflowId: `bench-erasure-noop-${id}`, taskQueue: 'bench-erasure-noop' }));
    const noopSeconds = (performance.now() - t) / 1000;
    const noop: Rate = { count: subjects, seconds: round(noopSeconds), perSecond: round(subjects / noopSeconds) };

    log(`${subjects} concurrent erasure requests`);
    const requestedAt = new Map<string, number>();
    const started = Date.now();
    t = performance.now();
    await Promise.all(
      contacts.map(async (contactId) => {
        const at = Date.now();
        const r = (await call(app, compliance, 'POST', '/v1/erasure-requests', { contactId })) as { id: string };
        requestedAt.set(r.id, at);
      }),
    );
    let lastLog = performance.now();
    for (;;) {
      const rows = await infra.db.selectFrom('erasure_requests').select(['id', 'status', 'completed_at', 'steps']).where('id', 'in', [...requestedAt.keys()]).execute();
      const failed = rows.find((r) => r.status === 'failed');
      if (failed) throw new Error(`erasure ${failed.id} failed: ${JSON.stringify(failed.steps)}`);
      const done = rows.filter((r) => r.status === 'completed');
      if (performance.now() - lastLog > 10_000) {
        lastLog = performance.now();
        log(`  … ${done.length} / ${subjects} completed`);
      }
      if (done.length === subjects) {
        const latencies = done.map((r) => r.completed_at!.getTime() - requestedAt.get(r.id)!).sort((a, b) => a - b);
        const lastDone = Math.max(...done.map((r) => r.completed_at!.getTime()));
        const seconds = (lastDone - started) / 1000;
        const erasures: Rate = { count: subjects, seconds: round(seconds), perSecond: round(subjects / seconds, 2) };
        return {
          subjects,
          enrollmentsPerSubject: sequences.length,
          noopWorkflowStarts: noop,
          requestToCompletedMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), max: latencies[latencies.length - 1]! },
          erasures,
          throughputVsNoopRatio: round(erasures.perSecond / noop.perSecond, 3),
        };
      }
      if (performance.now() - t > 30 * 60_000) throw new Error(`only ${done.length} of ${subjects} erasures completed in 30 minutes`);
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await worker?.process.stop({ graceMs: 15_000 });
    await app.close();
    await books.close();
  }
}

export function printErasureTable(r: ErasureBenchResult): void {
  console.table([
    { metric: `no-op workflow starts (${r.subjects}, baseline)`, value: `${r.noopWorkflowStarts.perSecond}/s` },
    { metric: `erasures, ${r.subjects} concurrent requests × ${r.enrollmentsPerSubject} live enrollments`, value: `${r.erasures.perSecond}/s (${r.erasures.seconds} s)` },
    { metric: 'request → completed, p50', value: `${r.requestToCompletedMs.p50} ms` },
    { metric: 'request → completed, p95', value: `${r.requestToCompletedMs.p95} ms` },
    { metric: 'erasure throughput / no-op start rate', value: String(r.throughputVsNoopRatio) },
  ]);
}
