import type { FastifyInstance } from 'fastify';
import { performance } from 'node:perf_hooks';
import { mapLimit, TEMPORAL_CONCURRENCY } from '../temporal/map-limit';
import type { Db } from '../db/database';
import { waitFor } from '../scripts/managed-process';
import type { BenchInfra, WorkerProcess } from './infra';
import { call } from './fixtures';
import { cpuBetween, perUnit, snapshotCpu, sumCpu, type CpuUsage, type PerUnitCpu } from './cpu';
import { workflowCacheFigures } from './sdk-metrics';

/** Each phase of the bench: what it measures is in its name; all times are wall-clock seconds. */

export type Rate = { count: number; seconds: number; perSecond: number };
const rate = (count: number, startedMs: number): Rate => {
  const seconds = (performance.now() - startedMs) / 1000;
  return { count, seconds: round(seconds), perSecond: round(count / seconds) };
};
export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * Bulk enrollment through the API (rules for every contact, rows, activities, one workflow each)
 * against the baseline of starting no-op workflows straight from a client with the API's concurrency.
 * Interleaved in batches of 1,000 (one API request each), alternating which side goes first, so both
 * see the same server state and the same background load; each side's time is the sum of its batches.
 */
export async function enrollVersusNoop(app: FastifyInstance, key: string, infra: Pick<BenchInfra, 'temporal'>, sequenceId: string, contactIds: string[], noopQueue: string, excludeCpuOf: readonly number[] = []): Promise<{ enroll: Rate; noop: Rate; enrollmentIds: string[]; cpuPerStart: { enroll: PerUnitCpu; noop: PerUnitCpu } }> {
  let enrollMs = 0;
  let noopMs = 0;
  const enrollmentIds: string[] = [];
  // CPU of every process (the bench process holds the API and the client), per side: where a start's cost goes.
  const cpu = { enroll: [] as CpuUsage[], noop: [] as CpuUsage[] };
  for (let i = 0; i < contactIds.length; i += 1000) {
    const batch = contactIds.slice(i, i + 1000);
    const noopSide = async () => {
      const before = snapshotCpu(excludeCpuOf);
      const t = performance.now();
      await mapLimit(batch, TEMPORAL_CONCURRENCY, (contactId) => infra.temporal.workflow.start('noopWorkflow', { workflowId: `bench-noop-${contactId}`, taskQueue: noopQueue }));
      noopMs += performance.now() - t;
      cpu.noop.push(cpuBetween(before, snapshotCpu(excludeCpuOf)));
    };
    const enrollSide = async () => {
      const before = snapshotCpu(excludeCpuOf);
      const t = performance.now();
      enrollmentIds.push(...(await enrollBatch(app, key, sequenceId, batch)));
      enrollMs += performance.now() - t;
      cpu.enroll.push(cpuBetween(before, snapshotCpu(excludeCpuOf)));
    };
    // Each side goes first in every other batch: the server's trailing work for the batch before
    // (visibility writes, matching's backlog) then falls as often in one side's window as in the other's.
    const sides = (i / 1000) % 2 === 0 ? [noopSide, enrollSide] : [enrollSide, noopSide];
    for (const side of sides) await side();
  }
  const asRate = (ms: number): Rate => ({ count: contactIds.length, seconds: round(ms / 1000), perSecond: round(contactIds.length / (ms / 1000)) });
  const perStart = (usages: CpuUsage[]) => perUnit(sumCpu(usages), contactIds.length);
  return { enroll: asRate(enrollMs), noop: asRate(noopMs), enrollmentIds, cpuPerStart: { enroll: perStart(cpu.enroll), noop: perStart(cpu.noop) } };
}

async function enrollBatch(app: FastifyInstance, key: string, sequenceId: string, contactIds: string[]): Promise<string[]> {
  const { results } = (await call(app, key, 'POST', `/v1/sequences/${sequenceId}/enrollments`, { contactIds })) as { results: { status: string; enrollmentId?: string; reasons: string[] }[] };
  const rejected = results.filter((r) => r.status !== 'enrolled');
  if (rejected.length > 0) throw new Error(`${rejected.length} contacts were rejected: ${JSON.stringify(rejected[0])}`);
  return results.map((r) => r.enrollmentId!);
}

const sentCount = async (db: Db, sequenceId: string) =>
  Number(
    (await db.selectFrom('email_sends as s').innerJoin('enrollments as e', 'e.id', 's.enrollment_id').select((eb) => eb.fn.countAll<string>().as('n')).where('e.sequence_id', '=', sequenceId).where('s.status', '=', 'sent').executeTakeFirstOrThrow()).n,
  );

/** First-step sends into the SMTP sink, from the moment the workers start on an enrolled backlog, and the CPU they cost. */
export async function firstStepSends(infra: Pick<BenchInfra, 'db'>, sequenceId: string, expected: number, startWorkers: () => Promise<WorkerProcess[]>, log: (m: string) => void, opts: { excludeCpuOf?: number[] } = {}): Promise<{ rate: Rate; workers: WorkerProcess[]; cpu: CpuUsage; workflowCache: Awaited<ReturnType<typeof workflowCacheFigures>> }> {
  const exclude = opts.excludeCpuOf ?? [];
  const before = snapshotCpu(exclude);
  const workers = await startWorkers();
  const started = performance.now();
  let lastLog = started;
  await waitFor(`${expected} first-step emails`, async () => {
    const n = await sentCount(infra.db, sequenceId);
    if (performance.now() - lastLog > 10_000) {
      lastLog = performance.now();
      log(`  … ${n} / ${expected} sent`);
    }
    return n >= expected;
  }, { timeoutMs: 30 * 60_000, intervalMs: 250, exited: Promise.race(workers.map((w) => w.process.exited)) });
  const r = rate(expected, started);
  // Workflow tasks that follow the last send (plan the next step, start its timer) belong to the sends too.
  await settleFirstSteps(infra, sequenceId);
  const cpu = cpuBetween(before, snapshotCpu(exclude), new Map(workers.map((w) => [w.pid, w.startupCpuMs])));
  for (const w of workers) log(`  worker ${w.pid}: CPU ms by thread ${JSON.stringify(w.threadCpuMs())} (start-up ${Math.round(w.startupCpuMs)} ms)`);
  const workflowCache = await workflowCacheFigures(workers);
  log(`  workflow cache during the burst: ${JSON.stringify(workflowCache)}`);
  return { rate: r, workers, cpu, workflowCache };
}

/** Waits until every enrollment of the sequence sleeps on its second step's timer (next_send_at in the future). */
async function settleFirstSteps(infra: Pick<BenchInfra, 'db'>, sequenceId: string): Promise<void> {
  await waitFor('the enrollments to plan their second step', async () => {
    const { n } = await infra.db.selectFrom('enrollments').select((eb) => eb.fn.countAll<string>().as('n')).where('sequence_id', '=', sequenceId).where('status', '=', 'active').where('next_send_at', '<=', new Date()).executeTakeFirstOrThrow();
    return Number(n) === 0;
  }, { timeoutMs: 10 * 60_000, intervalMs: 250 });
  // The row is planned inside the workflow task that then starts the timer: let that task complete.
  await new Promise((r) => setTimeout(r, 2_000));
}

/** History events per enrollment once its first step is sent and the second step's timer runs (start events included). */
export async function eventsPerFirstStep(infra: Pick<BenchInfra, 'temporal'>, enrollmentIds: string[], samples = 20): Promise<{ mean: number; max: number; samples: number }> {
  const step = Math.max(1, Math.floor(enrollmentIds.length / samples));
  const picked = enrollmentIds.filter((_, i) => i % step === 0).slice(0, samples);
  const lengths = await mapLimit(picked, 8, async (id) => (await infra.temporal.workflow.getHandle(`enrollment-${id}`).fetchHistory()).events?.length ?? 0);
  return { mean: round(lengths.reduce((a, b) => a + b, 0) / lengths.length), max: Math.max(...lengths), samples: lengths.length };
}

/** Worker RSS once every enrollment sleeps on its next step's timer: the peak of a few samples. */
export async function sleepingRss(infra: BenchInfra, worker: WorkerProcess, enrollmentIds: string[], settleMs: number): Promise<{ rssMiB: number; sleeping: number }> {
  await new Promise((r) => setTimeout(r, settleMs));
  let peak = 0;
  for (let i = 0; i < 5; i++) {
    peak = Math.max(peak, worker.rssBytes() ?? 0);
    await new Promise((r) => setTimeout(r, 1000));
  }
  const sleeping = Number(
    (await infra.db.selectFrom('enrollments').select((eb) => eb.fn.countAll<string>().as('n')).where('id', 'in', enrollmentIds).where('status', '=', 'active').where('next_send_at', '>', new Date()).executeTakeFirstOrThrow()).n,
  );
  return { rssMiB: round(peak / 1024 / 1024), sleeping };
}

/** History length of complete runs of a 5-step sequence (every step sent). */
export async function eventsPerHistory(infra: BenchInfra, app: FastifyInstance, key: string, sequenceId: string, contactIds: string[]): Promise<number[]> {
  const enrollmentIds = await enrollBatch(app, key, sequenceId, contactIds);
  await waitFor('the 5-step enrollments to complete', async () => {
    const rows = await infra.db.selectFrom('enrollments').select('status').where('id', 'in', enrollmentIds).execute();
    return rows.every((r) => r.status === 'completed');
  }, { timeoutMs: 5 * 60_000, intervalMs: 250 });
  return mapLimit(enrollmentIds, 8, async (id) => (await infra.temporal.workflow.getHandle(`enrollment-${id}`).fetchHistory()).events?.length ?? 0);
}
