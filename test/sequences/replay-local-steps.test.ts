/**
 * The enrollment workflow's steps run in one workflow task: the plan and the gate checks (patch
 * `enrollment-local-plan-and-gates`) and the send (patch `enrollment-local-send`) are local
 * activities. Recorded histories guard both:
 *  - enrollment-local-steps: a run on today's code through a hold (sequence paused) and two sends;
 *  - enrollment-local-steps-upgrade: a run that started on the code before either change (normal
 *    activities), slept on its second step's timer, and finished on today's code (the patch markers
 *    appear mid-history): what running enrollments go through at deployment.
 * (enrollment-local-reads and enrollment-local-reads-upgrade were recorded when only the reads were
 * local; they keep replaying, as do the older histories, in test/replay.)
 * The first runs on that code (test/replay/pre-one-call), since today's makes a due step one call
 * (the last two tests: enrollment-one-call and -upgrade); the second finishes on today's.
 */
import { temporal } from '@temporalio/proto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createActivities } from '../../activities';
import { startSmtpSink, type SmtpSink } from '../../scripts/smtp-sink';
import { enrollmentContract } from '../../workflows/enrollment/contract';
import { call } from '../harness/api';
import { createApiContext, type ApiContext } from '../harness/api-context';
import { eventually } from '../harness/eventually';
import { bundleWorkflowsFrom, recordHistory, replayAgainstCurrentCode } from '../harness/histories';
import { seedContact } from '../harness/seed';
import { connectTestClient, startTestWorker, uniqueTaskQueue, type RunningWorker } from '../harness/temporal';
import { activeSequence } from '../sequences-edges/e2e';

jest.setTimeout(120_000);

const EventType = temporal.api.enums.v1.EventType;
let sink: SmtpSink;
let mailDir: string;
let client: Awaited<ReturnType<typeof connectTestClient>>;
const contexts: ApiContext[] = [];
const running: RunningWorker[] = [];

beforeAll(async () => {
  mailDir = await fs.mkdtemp(path.join(os.tmpdir(), 'local-reads-mail-'));
  sink = await startSmtpSink({ port: 0, dir: mailDir });
  client = await connectTestClient();
});
afterAll(async () => {
  for (const w of running) await w.stop();
  for (const c of contexts) await c.close();
  await client?.close();
  await sink?.close();
  if (mailDir) await fs.rm(mailDir, { recursive: true, force: true });
});

/** An API and database of its own, starting workflows on a task queue of its own. */
async function context(name: string): Promise<ApiContext> {
  const c = await createApiContext({ TEMPORAL_TASK_QUEUE: uniqueTaskQueue(name) });
  contexts.push(c);
  return c;
}

async function worker(c: ApiContext, bundle?: { code: string }): Promise<RunningWorker> {
  const w = await startTestWorker({ taskQueue: c.config.TEMPORAL_TASK_QUEUE, activities: createActivities({ db: c.tdb.db, config: c.config }), workerOptions: bundle ? { workflowBundle: bundle } : {} });
  running.push(w);
  return w;
}

async function enroll(c: ApiContext, sequenceId: string): Promise<string> {
  const { results } = (await call(c.app, c.keys.rep, 'POST', `/v1/sequences/${sequenceId}/enrollments`, { contactIds: [await seedContact(c.tdb.db)] }, 200)).json() as { results: { enrollmentId: string; status: string }[] };
  expect(results[0]?.status).toBe('enrolled');
  return results[0]!.enrollmentId;
}

/** A two-step sequence, paused when the contact is enrolled, resumed once the enrollment shows the hold. */
async function throughAHold(c: ApiContext) {
  const seq = await activeSequence(c.app, c.keys.admin, sink.port, [{ subject: 'one', text: '1', delay: 'PT0S' }, { subject: 'two', text: '2', delay: 'PT1S' }]);
  await call(c.app, c.keys.admin, 'POST', `/v1/sequences/${seq.sequenceId}/pause`, undefined, 200);
  const id = await enroll(c, seq.sequenceId);
  await eventually(async () => ((await c.tdb.db.selectFrom('enrollments').select('waiting_for').where('id', '=', id).executeTakeFirst())?.waiting_for.includes('SEQUENCE_PAUSED') ? true : undefined), 'the hold');
  await call(c.app, c.keys.admin, 'POST', `/v1/sequences/${seq.sequenceId}/resume`, undefined, 200);
  return { id, handle: client.client.workflow.getHandle(enrollmentContract.id(id)) };
}

/**
 * An enrollment of a two-step sequence started on older workflow code (a bundle of `entry`), which
 * sends step one and sleeps on step two's timer; then that code's worker stops (a deployment).
 */
async function startedOnOlderCode(c: ApiContext, entry: string) {
  const before = await worker(c, await bundleWorkflowsFrom(path.join(__dirname, entry)));
  const seq = await activeSequence(c.app, c.keys.admin, sink.port, [{ subject: 'one', text: '1', delay: 'PT0S' }, { subject: 'two', text: '2', delay: 'PT6S' }]);
  const id = await enroll(c, seq.sequenceId);
  const handle = client.client.workflow.getHandle(enrollmentContract.id(id));
  await eventually(async () => (((await handle.fetchHistory()).events ?? []).some((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED) ? true : undefined), 'the older code to sleep on step two', 30_000);
  running.splice(running.indexOf(before), 1);
  await before.stop();
  return { id, handle };
}

const sentSteps = async (c: ApiContext, enrollmentId: string) => (await c.tdb.db.selectFrom('email_sends').select('status').where('enrollment_id', '=', enrollmentId).where('status', '=', 'sent').execute()).length;
const count = (types: unknown[], type: number) => types.filter((t) => t === type).length;

it('records and replays a run of one-task steps, through a hold', async () => {
  const c = await context('local-steps');
  // The code of this history (before a due step became one call, below); today's replays it.
  await worker(c, await bundleWorkflowsFrom(path.join(__dirname, '../replay/pre-one-call/index.ts')));
  const { id, handle } = await throughAHold(c);
  expect(await handle.result()).toEqual({ status: 'completed' });
  expect(await sentSteps(c, id)).toBe(2);
  const types = ((await handle.fetchHistory()).events ?? []).map((e) => e.eventType);
  // Only the hold's state record and the completion are activity tasks; plans, gate checks and sends are markers.
  expect(count(types, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)).toBe(2);
  expect(count(types, EventType.EVENT_TYPE_MARKER_RECORDED)).toBeGreaterThanOrEqual(8);
  await recordHistory('enrollment-local-steps', handle);
  await expect(replayAgainstCurrentCode('enrollment-local-steps')).resolves.toBeUndefined();
});

it('records and replays a run started on normal-activity code and finished on one-task steps', async () => {
  const c = await context('local-steps-upgrade');
  // Step one sent by the old code, which then sleeps on step two's timer: deploy the new code.
  const { id, handle } = await startedOnOlderCode(c, '../replay/pre-local-reads/index.ts');
  const types = async () => ((await handle.fetchHistory()).events ?? []).map((e) => e.eventType);
  expect(count(await types(), EventType.EVENT_TYPE_MARKER_RECORDED)).toBe(0);
  await worker(c);

  expect(await handle.result()).toEqual({ status: 'completed' });
  expect(await sentSteps(c, id)).toBe(2);
  const all = await types();
  // Old part: plan, gate check, send, plan as activities; new part: the patch markers and local activities.
  expect(all.indexOf(EventType.EVENT_TYPE_MARKER_RECORDED)).toBeGreaterThan(all.indexOf(EventType.EVENT_TYPE_TIMER_STARTED));
  expect(count(all.slice(0, all.indexOf(EventType.EVENT_TYPE_TIMER_STARTED)), EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)).toBe(4);
  // The new part sends in a local activity: no activity task after the timer but the completion.
  expect(count(all.slice(all.indexOf(EventType.EVENT_TYPE_TIMER_STARTED)), EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)).toBe(1);
  await recordHistory('enrollment-local-steps-upgrade', handle);
  await expect(replayAgainstCurrentCode('enrollment-local-steps-upgrade')).resolves.toBeUndefined();
});

/** Local activity markers (plans, gate checks, sends, one-call steps) among a history's events. */
const localActivities = (events: temporal.api.history.v1.IHistoryEvent[]) => events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity').length;

it('records and replays a run of one-call steps, through a hold: one local activity per due step, the next planned by the send', async () => {
  const c = await context('one-call');
  await worker(c);
  const { id, handle } = await throughAHold(c);
  expect(await handle.result()).toEqual({ status: 'completed' });
  expect(await sentSteps(c, id)).toBe(2);
  const events = (await handle.fetchHistory()).events ?? [];
  const types = events.map((e) => e.eventType);
  // Activity tasks as before: the hold's state record and the completion.
  expect(count(types, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)).toBe(2);
  // The first plan with its held run, step one (planning step two) and step two (planning none): 3,
  // where the code before made 8 (a plan, a gate check and a send per step, and the hold's gate check).
  expect(localActivities(events)).toBe(3);
  await recordHistory('enrollment-one-call', handle);
  await expect(replayAgainstCurrentCode('enrollment-one-call')).resolves.toBeUndefined();
});

it('records and replays a run started on separate-call steps and finished on one-call steps', async () => {
  const c = await context('one-call-upgrade');
  // Step one sent by the previous code, which then sleeps on step two's timer: deploy today's code.
  const { id, handle } = await startedOnOlderCode(c, '../replay/pre-one-call/index.ts');
  const events = async () => (await handle.fetchHistory()).events ?? [];
  const timerAt = (all: temporal.api.history.v1.IHistoryEvent[]) => all.findIndex((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED);
  // Plan, gate check, send, plan of step two: four local activities.
  expect(localActivities(await events())).toBe(4);
  await worker(c);

  expect(await handle.result()).toEqual({ status: 'completed' });
  expect(await sentSteps(c, id)).toBe(2);
  const all = await events();
  const after = all.slice(timerAt(all));
  // Today's part: step two in one call (its patch marker first), nothing left to plan, then the completion.
  expect(localActivities(after)).toBe(1);
  expect(count(after.map((e) => e.eventType), EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)).toBe(1);
  expect(after.some((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')).toBe(true);
  await recordHistory('enrollment-one-call-upgrade', handle);
  await expect(replayAgainstCurrentCode('enrollment-one-call-upgrade')).resolves.toBeUndefined();
});
