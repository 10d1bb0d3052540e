import type { FastifyInstance } from 'fastify';
import { performance } from 'node:perf_hooks';
import { mapLimit, TEMPORAL_CONCURRENCY } from '../temporal/map-limit';
import type { Db } from '../db/database';
import { waitFor } from '../scripts/managed-process';
import type { BenchInfra, WorkerProcess } from './infra';
import { call } from './fixtures';

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
 * Interleaved in batches of 1,000 (one API request each) so both see the same server state and the
 * same background load; each side's time is the sum of its batches.
 */
export async function enrollVersusNoop(app: FastifyInstance, key: string, infra: BenchInfra, sequenceId: string, contactIds: string[], noopQueue: string): Promise<{ enroll: Rate; noop: Rate; enrollmentIds: string[] }> {
  let enrollMs = 0;
  let noopMs = 0;
  const enrollmentIds: string[] = [];
  for (let i = 0; i < contactIds.length; i += 1000) {
    const batch = contactIds.slice(i, i + 1000);
    let t = performance.now();
    await mapLimit(batch, TEMPORAL_CONCURRENCY, (contactId) => infra.temporal.workflow.start('noopWorkflow', { workflowId: `bench-noop-${contactId}`, taskQueue: noopQueue }));
    noopMs += performance.now() - t;
    t = performance.now();
    enrollmentIds.push(...(await enrollBatch(app, key, sequenceId, batch)));
    enrollMs += performance.now() - t;
  }
  const asRate = (ms: number): Rate => ({ count: contactIds.length, seconds: round(ms / 1000), perSecond: round(contactIds.length / (ms / 1000)) });
  return { enroll: asRate(enrollMs), noop: asRate(noopMs), enrollmentIds };
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

/** First-step sends into the SMTP sink, from the moment a worker starts on an enrolled backlog. */
export async function firstStepSends(infra: BenchInfra, sequenceId: string, expected: number, startWorker: () => Promise<WorkerProcess>, log: (m: string) => void): Promise<{ rate: Rate; worker: WorkerProcess }> {
  const worker = await startWorker();
  const started = performance.now();
  let lastLog = started;
  await waitFor(`${expected} first-step emails`, async () => {
    const n = await sentCount(infra.db, sequenceId);
    if (performance.now() - lastLog > 10_000) {
      lastLog = performance.now();
      log(`  … ${n} / ${expected} sent`);
    }
    return n >= expected;
  }, { timeoutMs: 30 * 60_000, intervalMs: 250, exited: worker.process.exited });
  return { rate: rate(expected, started), worker };
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
