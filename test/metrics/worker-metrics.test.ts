import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../scripts/free-port';
import { startSmtpSink, type SmtpSink } from '../../scripts/smtp-sink';
import { initialSteps, applyStepUpdate } from '../../domain/promotion/steps';
import { createApiContext, type ApiContext } from '../harness/api-context';
import { callJson } from '../harness/api';
import { eventually } from '../harness/eventually';
import { seedContact } from '../harness/seed';
import { uniqueTaskQueue } from '../harness/temporal';
import { workerProcesses } from '../harness/worker-process';
import { activeSequence } from '../sequences-edges/e2e';
import { parseExposition, type Scrape } from './exposition';

/**
 * A real worker process with WORKER_METRICS_PORT: one endpoint serves our counters and gauges and the
 * Temporal SDK's runtime metrics; a send, a hold, a deferral and a stalled promotion each show up.
 */
jest.setTimeout(180_000);

let ctx: ApiContext;
let sink: SmtpSink;
let mailDir: string;
let metricsUrl: string;
const workers = workerProcesses();
const taskQueue = uniqueTaskQueue('metrics');

beforeAll(async () => {
  ctx = await createApiContext({ TEMPORAL_TASK_QUEUE: taskQueue });
  mailDir = await fs.mkdtemp(path.join(os.tmpdir(), 'metrics-mail-'));
  sink = await startSmtpSink({ port: 0, dir: mailDir });
  const port = await freePort();
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
  await workers.start({ DATABASE_URL: ctx.tdb.url, TEMPORAL_TASK_QUEUE: taskQueue, PUBLIC_BASE_URL: ctx.config.PUBLIC_BASE_URL, TRACKING_SECRET: ctx.config.TRACKING_SECRET, WORKER_METRICS_PORT: String(port) });
});
afterAll(async () => {
  await workers.killAll();
  await sink?.close();
  await ctx?.close();
  if (mailDir) await fs.rm(mailDir, { recursive: true, force: true });
});

async function scrape(): Promise<Scrape> {
  const res = await fetch(metricsUrl);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await res.text());
}

async function enroll(sequenceId: string, contactIds: string[]): Promise<string[]> {
  const { results } = await callJson<{ results: { enrollmentId: string; status: string }[] }>(ctx.app, ctx.keys.rep, 'POST', `/v1/sequences/${sequenceId}/enrollments`, { contactIds }, 200);
  expect(results.every((r) => r.status === 'enrolled')).toBe(true);
  return results.map((r) => r.enrollmentId);
}

const sendStatus = (enrollmentId: string) => ctx.tdb.db.selectFrom('email_sends').select('status').where('enrollment_id', '=', enrollmentId).executeTakeFirst();

describe('worker /metrics', () => {
  it("serves ours and the Temporal SDK's on one endpoint, every gauge readable", async () => {
    const m = await scrape();
    for (const name of ['crm_email_sends_total', 'crm_email_deferrals_total', 'crm_enrollment_holds_total', 'crm_sync_records', 'crm_promotions', 'crm_promotions_in_step', 'crm_promotion_stalled_seconds', 'crm_enrollments_waiting', 'crm_erasures_overdue', 'crm_sync_api_budget_used_ratio', 'process_cpu_seconds_total']) expect(m.families).toContain(name);
    expect([...m.families].some((f) => f.startsWith('temporal_'))).toBe(true);
    expect(m.value('crm_worker_sdk_metrics_up')).toBe(1);
    expect(m.value('crm_erasures_overdue')).toBe(0);
    expect(m.value('crm_state_metric_errors_total')).toBe(0);
    expect((await fetch(metricsUrl.replace('/metrics', '/other'))).status).toBe(404);
  });

  it('counts a send, and the SDK counts the workflow it completed', async () => {
    const before = await scrape();
    const seq = await activeSequence(ctx.app, ctx.keys.admin, sink.port, [{ subject: 'Hello', text: 'One step', delay: 'PT0S' }]);
    const email = 'Metrics.Person@Example.com';
    const [id] = await enroll(seq.sequenceId, [await seedContact(ctx.tdb.db, { email, firstName: 'Ottoline', lastName: 'Vantablack' })]);
    await eventually(async () => ((await ctx.tdb.db.selectFrom('enrollments').select('status').where('id', '=', id!).executeTakeFirst())?.status === 'completed' ? true : undefined), 'the one-step enrollment to complete', 60_000);
    expect((await sendStatus(id!))?.status).toBe('sent');
    const after = await eventually(async () => {
      const m = await scrape();
      return m.value('temporal_workflow_completed') > before.value('temporal_workflow_completed') ? m : undefined;
    }, 'the SDK to count the completed workflow', 30_000);
    expect(after.value('crm_email_sends_total', { outcome: 'sent', code: 'none' })).toBe(before.value('crm_email_sends_total', { outcome: 'sent', code: 'none' }) + 1);
    // Labels are codes and route-free names: no address, no name, no id.
    for (const secret of [email, email.toLowerCase(), 'Ottoline', 'Vantablack', id!]) expect(after.text).not.toContain(secret);
  });

  it('counts a hold and shows the enrollment waiting; counts a deferral by its code', async () => {
    const held = await activeSequence(ctx.app, ctx.keys.admin, sink.port, [{ subject: 'Held', text: 'Held', delay: 'PT0S' }]);
    await ctx.tdb.db.updateTable('mailboxes').set({ connected: false }).where('id', '=', held.mailboxId).execute();
    const paced = await activeSequence(ctx.app, ctx.keys.admin, sink.port, [{ subject: 'Paced', text: 'Paced', delay: 'PT0S' }]);
    await ctx.tdb.db.updateTable('mailboxes').set({ per_minute_limit: 1 }).where('id', '=', paced.mailboxId).execute();
    const before = await scrape();

    const [heldId] = await enroll(held.sequenceId, [await seedContact(ctx.tdb.db)]);
    const pacedIds = await enroll(paced.sequenceId, [await seedContact(ctx.tdb.db), await seedContact(ctx.tdb.db)]);
    const after = await eventually(async () => {
      const m = await scrape();
      // The enrollment row records the deferral after the send attempt counted it: wait for both.
      const deferred = m.value('crm_email_deferrals_total', { code: 'MAILBOX_RATE_LIMIT' }) > before.value('crm_email_deferrals_total', { code: 'MAILBOX_RATE_LIMIT' });
      return m.value('crm_enrollments_waiting', { code: 'MAILBOX_NOT_CONNECTED' }) === 1 && deferred && m.value('crm_enrollments_waiting', { code: 'MAILBOX_RATE_LIMIT' }) === 1 ? m : undefined;
    }, 'the hold and the deferral in the metrics', 60_000);
    expect(after.value('crm_enrollment_holds_total', { code: 'MAILBOX_NOT_CONNECTED' })).toBeGreaterThan(before.value('crm_enrollment_holds_total', { code: 'MAILBOX_NOT_CONNECTED' }));
    expect(after.value('crm_email_sends_total', { outcome: 'deferred', code: 'MAILBOX_RATE_LIMIT' })).toBeGreaterThan(before.value('crm_email_sends_total', { outcome: 'deferred', code: 'MAILBOX_RATE_LIMIT' }));
    expect((await sendStatus(heldId!))?.status).toBeUndefined();
    // One went out (its confirmation may trail the other's deferral), the other waits for the next minute.
    const statuses = async () => (await Promise.all(pacedIds.map(sendStatus))).map((s) => s?.status ?? 'none').sort();
    expect(await eventually(async () => ((await statuses()).includes('sent') ? statuses() : undefined), 'the first paced send')).toEqual(['none', 'sent']);
  });

  it('shows promotions by state and step, and how long one in progress has not moved', async () => {
    const company = await ctx.tdb.db.insertInto('companies').values({ name: 'Stalled Ltd', domains: [], external_ids: '{}' }).returning('id').executeTakeFirstOrThrow();
    const started = new Date(Date.now() - 30 * 60_000);
    let steps = initialSteps();
    for (const step of ['preflight', 'mark_customer'] as const) steps = applyStepUpdate(steps, step, { status: 'completed' }, started);
    steps = applyStepUpdate(steps, 'notify_psa', { status: 'retrying', code: 'PSA_UNREACHABLE' }, started);
    await ctx.tdb.db
      .insertInto('promotions')
      .values({ company_id: company.id, status: 'running', steps: JSON.stringify(steps), contacts_skipped: '[]', workflow_id: `promotion-${company.id}`, created_at: started, updated_at: started })
      .execute();
    const m = await scrape();
    expect(m.value('crm_promotions', { state: 'running' })).toBe(1);
    expect(m.value('crm_promotions_in_step', { step: 'notify_psa' })).toBe(1);
    expect(m.value('crm_promotions_in_step', { step: 'preflight' })).toBe(0);
    expect(m.value('crm_promotion_stalled_seconds', { step: 'notify_psa' })).toBeGreaterThanOrEqual(30 * 60 - 5);
    expect(m.value('crm_promotion_stalled_seconds', { step: 'link' })).toBe(0);
    expect(m.text).not.toContain(company.id);
  });
});
