/**
 * The end of retention, under time skipping: the sweep workflow (what the daily Schedule starts)
 * leaves a reference before its retainUntil, and once time has passed it removes the reference and
 * the stub and appends a `retention_end` receipt to the chain; a second run the same day does nothing.
 * And the Schedule itself is created idempotently at worker start, updated, and deleted by `off`.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ensureRetentionSweepSchedule } from '../../worker/erasure-schedule';
import { retentionSweepContract } from '../../workflows/erasure-retention/contract';
import { initialSteps, initialSystems } from '../../domain/erasure/vocabulary';
import { callJson } from '../harness/api';
import { createApiContext, type ApiContext } from '../harness/api-context';
import { seedContact } from '../harness/seed';
import { connectTestClient, createTimeSkippingEnv, startTestWorker, uniqueTaskQueue, type RunningWorker } from '../harness/temporal';

jest.setTimeout(120_000);

let ctx: ApiContext;
let env: TestWorkflowEnvironment;
let worker: RunningWorker;
const taskQueue = uniqueTaskQueue('retention');

beforeAll(async () => {
  ctx = await createApiContext();
  env = await createTimeSkippingEnv();
  worker = await startTestWorker({ deps: { db: ctx.tdb.db, config: ctx.config }, taskQueue, connection: env.nativeConnection });
});
afterAll(async () => {
  await worker?.stop();
  await env?.teardown();
  await ctx?.close();
});

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

it('removes references whose retainUntil has passed, and their stubs, with a receipt; idempotent per day', async () => {
  const db = ctx.tdb.db;
  const now = await env.currentTimeMs();
  const stub = await seedContact(db, { email: null });
  const request = await db
    .insertInto('erasure_requests')
    .values({ subject_kind: 'contact', contact_id: stub, contact_ids: [stub], jurisdiction: 'DE', status: 'completed', steps: JSON.stringify(initialSteps()), systems: JSON.stringify(initialSystems()), received_at: new Date(now), due_at: new Date(now), workflow_id: 'erasure-x' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('erasure_retained_records').values({ request_id: request.id, contact_id: stub, system: 'books', kind: 'invoice', reference: 'inv_1', amount: '10.00', currency: 'EUR', issued_at: '2017-01-02', legal_basis: 'HGB §257', jurisdiction: 'DE', retain_until: day(now + 86_400_000) }).execute();

  const sweep = (asOf?: string) => env.client.workflow.execute(retentionSweepContract.type, { taskQueue, workflowId: `sweep-${Date.now()}-${Math.random()}`, args: [asOf ? { asOf } : {}] });
  const retainUntil = day(now + 86_400_000);
  // On its last day the reference is kept.
  expect(await sweep(retainUntil)).toEqual({ asOf: retainUntil, recordsRemoved: 0, stubsRemoved: 0, receipts: 0 });
  expect(await db.selectFrom('contacts').select('id').where('id', '=', stub).execute()).toHaveLength(1);

  // Days later (skipped), the sweep dates itself by the workflow clock and removes it.
  await env.sleep('3 days');
  const removed = await sweep();
  expect(removed.asOf > retainUntil).toBe(true);
  expect(removed).toMatchObject({ recordsRemoved: 1, stubsRemoved: 1, receipts: 1 });
  expect(await db.selectFrom('contacts').select('id').where('id', '=', stub).execute()).toEqual([]);
  // The same day again (a Schedule catch-up): nothing left to do, no second receipt.
  expect(await sweep(removed.asOf)).toEqual({ asOf: removed.asOf, recordsRemoved: 0, stubsRemoved: 0, receipts: 0 });
  const later = Date.parse(`${removed.asOf}T00:00:00Z`);

  const view = await callJson(ctx.app, ctx.keys.compliance, 'GET', `/v1/erasure-requests/${request.id}`, undefined, 200);
  expect(view.retained).toEqual([expect.objectContaining({ reference: 'inv_1', retainUntil: day(now + 86_400_000), removedAt: expect.any(String) })]);
  expect(view.retained[0].amount).toBeUndefined();
  const receipts = await db.selectFrom('erasure_receipts').selectAll().where('request_id', '=', request.id).execute();
  expect(receipts).toEqual([expect.objectContaining({ kind: 'retention_end', body: expect.objectContaining({ asOf: day(later), stubsRemoved: [stub] }) })]);
  expect(await callJson(ctx.app, ctx.keys.admin, 'GET', '/v1/erasure-receipts/verify', undefined, 200)).toMatchObject({ ok: true, receipts: 1 });
  const log = await db.selectFrom('activities').select(['type', 'reason_code']).where('contact_id', '=', stub).where('type', '=', 'retention_ended').execute();
  expect(log).toEqual([{ type: 'retention_ended', reason_code: 'RETENTION_ENDED' }]);
});

it('creates the daily erasure-retention-sweep Schedule idempotently, updates it, and deletes it with off', async () => {
  const temporal = await connectTestClient();
  try {
    const q = uniqueTaskQueue('sweep-schedule');
    await ensureRetentionSweepSchedule(temporal.client, { taskQueue: q, at: '04:30' });
    await ensureRetentionSweepSchedule(temporal.client, { taskQueue: q, at: '04:30' });
    const handle = temporal.client.schedule.getHandle(retentionSweepContract.scheduleId);
    const first = await handle.describe();
    expect(first.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 4, end: 4, step: 1 }], minute: [{ start: 30, end: 30, step: 1 }] });
    expect(first.action).toMatchObject({ type: 'startWorkflow', workflowType: retentionSweepContract.type, taskQueue: q });
    await ensureRetentionSweepSchedule(temporal.client, { taskQueue: q, at: '05:15' });
    expect((await handle.describe()).spec.calendars?.[0]).toMatchObject({ hour: [{ start: 5, end: 5, step: 1 }], minute: [{ start: 15, end: 15, step: 1 }] });
    await ensureRetentionSweepSchedule(temporal.client, { taskQueue: q, at: 'off' });
    await expect(handle.describe()).rejects.toThrow();
  } finally {
    await temporal.close();
  }
});
