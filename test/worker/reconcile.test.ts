import { MockActivityEnvironment } from '@temporalio/testing';
import type { AddressInfo } from 'node:net';
import { createReconcileActivities } from '../../activities/reconcile/stopped-workflows';
import type { ActivityDeps } from '../../activities/deps';
import { enrollmentContract } from '../../workflows/enrollment/contract';
import { promotionContract } from '../../workflows/promotion/contract';
import { reconcileContract, type ReconcileResult } from '../../workflows/reconcile/contract';
import { ensureReconciler } from '../../worker/reconciler';
import { recordHistory } from '../harness/histories';
import { createApiContext, type ApiContext } from '../harness/api-context';
import { connectTestClient, startTestWorker, uniqueTaskQueue, type RunningWorker } from '../harness/temporal';
import { startPsaEmulator, type PsaEmulator } from '../emulators/psa-emulator';
import { CRM_KEY, PSA_KEY } from '../promotion/promotion-fixture';
import { activeSequence } from '../sequences-edges/e2e';
import { seedContact, seedSend } from '../harness/seed';
import { eventually } from '../harness/eventually';
import { callJson } from '../harness/api';

/**
 * Workflows stopped by an operator in the Temporal UI (terminate, cancel, ...) are recorded as ended
 * with WORKFLOW_STOPPED, so the CRM's status and rules stop believing in them. Real dev server.
 */
jest.setTimeout(60_000);

let ctx: ApiContext;
let psa: PsaEmulator;
let temporal: Awaited<ReturnType<typeof connectTestClient>>;
let worker: RunningWorker;
let deps: ActivityDeps;
const taskQueue = uniqueTaskQueue('reconcile');

beforeAll(async () => {
  psa = await startPsaEmulator({ psaIntegrationKey: PSA_KEY, crmIntegrationKey: CRM_KEY, webhookDelivery: 'manual', confirmationDelayMs: 0 });
  ctx = await createApiContext({ TEMPORAL_TASK_QUEUE: taskQueue, PSA_API_URL: psa.url, PSA_INTEGRATION_KEY: PSA_KEY, CRM_INTEGRATION_KEY: CRM_KEY });
  await ctx.app.listen({ host: '127.0.0.1', port: 0 });
  psa.setCrmWebhookUrl(`http://127.0.0.1:${(ctx.app.server.address() as AddressInfo).port}/v1/webhooks/psa`);
  temporal = await connectTestClient();
  deps = { db: ctx.tdb.db, config: ctx.config, temporal: temporal.client };
  worker = await startTestWorker({ deps, taskQueue });
});
afterAll(async () => {
  await temporal?.client.workflow.getHandle(reconcileContract.id()).terminate('test cleanup').catch(() => undefined);
  await worker?.stop();
  await temporal?.close();
  await psa?.close();
  await ctx?.close();
});

const reconcileOnce = () => new MockActivityEnvironment().run(createReconcileActivities(deps).reconcileStoppedWorkflows, { lookbackMs: 3_600_000 }) as Promise<ReconcileResult>;
/** Visibility is eventually consistent: reconcile until the expected change shows up. */
const reconcileUntil = (what: string, done: (r: ReconcileResult) => boolean) =>
  eventually(async () => {
    const result = await reconcileOnce();
    return done(result) ? result : undefined;
  }, what, 20_000, 200);

async function enrollWaiting(sequenceId: string) {
  const contactId = await seedContact(ctx.tdb.db);
  const { results } = await callJson(ctx.app, ctx.keys.rep, 'POST', `/v1/sequences/${sequenceId}/enrollments`, { contactIds: [contactId] }, 200);
  const enrollmentId = results[0].enrollmentId as string;
  await eventually(async () => {
    const row = await ctx.tdb.db.selectFrom('enrollments').select('next_send_at').where('id', '=', enrollmentId).executeTakeFirstOrThrow();
    return row.next_send_at !== null ? true : undefined;
  }, 'the enrollment workflow to sleep until its first step', 20_000);
  return { contactId, enrollmentId };
}

describe('reconciling workflows stopped outside the CRM', () => {
  let sequence: Awaited<ReturnType<typeof activeSequence>>;
  beforeAll(async () => {
    // The first step is a day away: the workflow sleeps on a durable timer, like most live enrollments.
    sequence = await activeSequence(ctx.app, ctx.keys.admin, 9, [{ subject: 'Tomorrow', text: 'Hi', delay: 'P1D' }]);
  });

  it('ends an enrollment whose workflow was terminated: WORKFLOW_STOPPED, logged once, claimed send uncertain, contact enrollable again', async () => {
    const { contactId, enrollmentId } = await enrollWaiting(sequence.sequenceId);
    const claimed = await seedSend(ctx.tdb.db, { enrollmentId, stepId: sequence.stepIds[0]!, mailboxId: sequence.mailboxId, status: 'claimed' });
    await temporal.client.workflow.getHandle(enrollmentContract.id(enrollmentId)).terminate('operator: stuck enrollment');

    const result = await reconcileUntil('the terminated enrollment to be ended', (r) => r.enrollmentsEnded.includes(enrollmentId));
    expect(result.examined).toBeGreaterThanOrEqual(1);

    const view = await callJson(ctx.app, ctx.keys.rep, 'GET', `/v1/enrollments/${enrollmentId}`, undefined, 200);
    expect(view).toMatchObject({ status: 'ended', endedReason: 'WORKFLOW_STOPPED', waitingFor: [] });
    const send = await ctx.tdb.db.selectFrom('email_sends').select(['status', 'reason_code']).where('id', '=', claimed.id).executeTakeFirstOrThrow();
    expect(send).toEqual({ status: 'uncertain', reason_code: 'SEND_UNCERTAIN' });

    // Running again changes nothing and logs nothing twice.
    expect((await reconcileOnce()).enrollmentsEnded).not.toContain(enrollmentId);
    const log = await callJson(ctx.app, ctx.keys.rep, 'GET', `/v1/contacts/${contactId}/activities?limit=100`, undefined, 200);
    const ended = log.items.filter((a: { reasonCode: string | null }) => a.reasonCode === 'WORKFLOW_STOPPED');
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ type: 'unenrolled', actor: reconcileContract.actor, data: { enrollmentId, executionStatus: 'terminated' } });

    // No longer ALREADY_ENROLLED: the rep can enroll the contact again, and that live enrollment is left alone.
    const again = await callJson(ctx.app, ctx.keys.rep, 'POST', `/v1/sequences/${sequence.sequenceId}/enrollments`, { contactIds: [contactId] }, 200);
    expect(again.results[0]).toMatchObject({ status: 'enrolled', reasons: [] });
    await reconcileOnce();
    const live = await ctx.tdb.db.selectFrom('enrollments').select('status').where('id', '=', again.results[0].enrollmentId).executeTakeFirstOrThrow();
    expect(['active', 'waiting']).toContain(live.status);
  });

  it('fails a promotion whose workflow was terminated at its current step; retry then completes it', async () => {
    const company = await callJson(ctx.app, ctx.keys.rep, 'POST', '/v1/companies', { name: 'Stopped Inc', domains: ['stopped.example'] }, 201);
    await callJson(ctx.app, ctx.keys.admin, 'POST', `/v1/companies/${company.id}/promote`, undefined, 202);
    const status = () => callJson(ctx.app, ctx.keys.operator, 'GET', `/v1/companies/${company.id}/promotion`, undefined, 200);
    await eventually(async () => ((await status()).status === 'waiting_for_psa' ? true : undefined), 'the promotion to wait for the PSA', 20_000);
    await temporal.client.workflow.getHandle(promotionContract.id(company.id)).terminate('operator: testing');

    await reconcileUntil('the terminated promotion to be failed', (r) => r.promotionsFailed.includes(company.id));
    const failed = await status();
    expect(failed).toMatchObject({ status: 'failed', failedStep: 'wait_for_confirmation', code: 'WORKFLOW_STOPPED' });
    expect(failed.message).toContain('terminated in Temporal during step wait_for_confirmation');
    expect(failed.steps.find((s: { name: string }) => s.name === 'wait_for_confirmation')).toMatchObject({ status: 'failed', code: 'WORKFLOW_STOPPED' });

    // The retry starts a new run; the reconciliation leaves it alone (the stopped run is not the row's run any more).
    await callJson(ctx.app, ctx.keys.admin, 'POST', `/v1/companies/${company.id}/promotion/retry`, undefined, 202);
    await eventually(async () => ((await status()).status === 'waiting_for_psa' ? true : undefined), 'the retried promotion to wait for the PSA', 20_000);
    expect((await reconcileOnce()).promotionsFailed).not.toContain(company.id);
    await psa.deliverAllWebhooks();
    const done = await eventually(async () => {
      const s = await status();
      return s.status === 'completed' ? s : undefined;
    }, 'the retried promotion to complete', 20_000);
    expect(done).toMatchObject({ attempt: 2, psaClientId: expect.stringMatching(/^psa_cl_/) });
  });

  it('runs as one long-lived workflow that every worker starts or re-times, and its passes do the work', async () => {
    // A previous version's Schedule is removed by the first worker that starts.
    await temporal.client.schedule.create({ scheduleId: reconcileContract.legacyScheduleId, spec: { intervals: [{ every: 3_600_000 }] }, action: { type: 'startWorkflow', workflowType: reconcileContract.legacyOneShotType, taskQueue, args: [{ lookbackMs: 1 }] } });
    await ensureReconciler(temporal.client, { taskQueue, everyMs: 3_600_000 });
    await ensureReconciler(temporal.client, { taskQueue, everyMs: 500 }); // a second worker with other settings
    await expect(temporal.client.schedule.getHandle(reconcileContract.legacyScheduleId).describe()).rejects.toThrow();
    const handle = temporal.client.workflow.getHandle(reconcileContract.id());
    const description = await handle.describe();
    expect(description).toMatchObject({ type: reconcileContract.type, taskQueue });
    expect(description.status.name).toBe('RUNNING');
    // One execution: the second worker signalled the running loop instead of starting another.
    const runs: string[] = [];
    for await (const wf of temporal.client.workflow.list({ query: `WorkflowId = '${reconcileContract.id()}'` })) runs.push(wf.runId);
    expect(new Set(runs).size).toBeLessThanOrEqual(1);
    await eventually(async () => ((await handle.query(reconcileContract.queries.status)).everyMs === 500 ? true : undefined), 'the loop to take the new interval', 10_000);

    const { enrollmentId } = await enrollWaiting(sequence.sequenceId);
    await temporal.client.workflow.getHandle(enrollmentContract.id(enrollmentId)).cancel();
    const row = await eventually(async () => {
      const r = await ctx.tdb.db.selectFrom('enrollments').select(['status', 'ended_reason']).where('id', '=', enrollmentId).executeTakeFirstOrThrow();
      return r.status === 'ended' ? r : undefined;
    }, 'a pass of the loop to end the cancelled enrollment', 30_000, 100);
    expect(row.ended_reason).toBe('WORKFLOW_STOPPED');
    await eventually(async () => ((await handle.query(reconcileContract.queries.status)).passes > 1 ? true : undefined), 'a second pass', 10_000);

    // "off", signalled by an operator: the loop ends after its current pass.
    await handle.signal(reconcileContract.signals.configure, { everyMs: null });
    await expect(handle.result()).resolves.toBeUndefined();
    await recordHistory('reconciler-loop', handle);
  });
});
