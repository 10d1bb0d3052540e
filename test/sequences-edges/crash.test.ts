import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSmtpSink, type SmtpSink } from '../../scripts/smtp-sink';
import { createApiContext, type ApiContext } from '../harness/api-context';
import { uniqueTaskQueue } from '../harness/temporal';
import { workerProcesses } from '../harness/worker-process';
import { activeSequence, sinkContents, startDelayProxy } from './e2e';
import { seedContact } from '../harness/seed';
import { callJson } from '../harness/api';
import { eventually } from '../harness/eventually';

/**
 * Crash test with real processes: the worker runs as its own Node process and is SIGKILLed while
 * emails are in flight (the SMTP path is slowed by a delaying proxy so they really are). After a
 * restart every step's email is in the sink exactly once, or the step is `uncertain` (and then at
 * most once) — never twice.
 */
const CONTACTS = 24;
// In-flight sends of the killed worker (local activities) are retried once its workflow task times out (10 s);
// executions on the older code retry theirs after the send activity's 2-minute start-to-close timeout.
const FINISH_TIMEOUT_MS = 230_000;
jest.setTimeout(FINISH_TIMEOUT_MS + 60_000);

let ctx: ApiContext;
let sink: SmtpSink;
let proxy: Awaited<ReturnType<typeof startDelayProxy>>;
let mailDir: string;
const workers = workerProcesses();
const taskQueue = uniqueTaskQueue('crash');

const startWorkerProcess = () =>
  workers.start({ DATABASE_URL: ctx.tdb.url, TEMPORAL_TASK_QUEUE: taskQueue, PUBLIC_BASE_URL: ctx.config.PUBLIC_BASE_URL, TRACKING_SECRET: ctx.config.TRACKING_SECRET });
const exited = workers.exited;

beforeAll(async () => {
  ctx = await createApiContext({ TEMPORAL_TASK_QUEUE: taskQueue });
  mailDir = await fs.mkdtemp(path.join(os.tmpdir(), 'crash-mail-'));
  sink = await startSmtpSink({ port: 0, dir: mailDir });
  proxy = await startDelayProxy(sink.port, 150);
});
afterAll(async () => {
  await workers.killAll();
  await proxy?.close();
  await sink?.close();
  await ctx?.close();
  await fs.rm(mailDir, { recursive: true, force: true });
});

it('delivers each step exactly once, or marks it uncertain, across a SIGKILL of the worker mid-send', async () => {
  const seq = await activeSequence(ctx.app, ctx.keys.admin, proxy.port, [
    { subject: 'Step one', text: 'One', delay: 'PT0S' },
    { subject: 'Step two', text: 'Two', delay: 'PT1S' },
  ]);
  const contactIds: string[] = [];
  for (let i = 0; i < CONTACTS; i++) contactIds.push(await seedContact(ctx.tdb.db));

  const first = await startWorkerProcess();
  const { results } = await callJson(ctx.app, ctx.keys.rep, 'POST', `/v1/sequences/${seq.sequenceId}/enrollments`, { contactIds }, 200);
  const enrollmentIds = (results as { enrollmentId: string; status: string }[]).map((r) => r.enrollmentId);
  expect(enrollmentIds.filter(Boolean)).toHaveLength(CONTACTS);

  // Kill only once some emails arrived and others are claimed (handed over, not yet confirmed).
  const inFlight = await eventually(async () => {
    const claimed = await ctx.tdb.db.selectFrom('email_sends').select('id').where('status', '=', 'claimed').execute();
    const delivered = (await sinkContents(mailDir)).files.length;
    return claimed.length > 0 && delivered > 0 ? claimed.length : undefined;
  }, 'sends in flight', 60_000, 20);
  first.kill('SIGKILL');
  await exited(first);
  expect(inFlight).toBeGreaterThan(0);

  const second = await startWorkerProcess();
  await eventually(async () => {
    const rows = await ctx.tdb.db.selectFrom('enrollments').select('status').where('id', 'in', enrollmentIds).execute();
    return rows.every((r) => r.status === 'completed' || r.status === 'ended') ? rows : undefined;
  }, 'every enrollment to finish after the restart', FINISH_TIMEOUT_MS, 500);
  second.kill('SIGTERM');
  await exited(second);

  const sends = await ctx.tdb.db.selectFrom('email_sends').select(['enrollment_id', 'step_id', 'status', 'message_id']).where('enrollment_id', 'in', enrollmentIds).execute();
  const { byMessageId, dupFiles } = await sinkContents(mailDir);
  expect(dupFiles).toEqual([]);

  const problems: string[] = [];
  const bare = (id: string) => id.replace(/^<|>$/g, '');
  for (const enrollmentId of enrollmentIds) {
    for (const stepId of seq.stepIds) {
      const row = sends.find((s) => s.enrollment_id === enrollmentId && s.step_id === stepId);
      const copies = row ? (byMessageId.get(bare(row.message_id)) ?? 0) : 0;
      if (row?.status === 'sent' && copies !== 1) problems.push(`${enrollmentId}/${stepId}: sent but ${copies} copies`);
      else if (row?.status === 'uncertain' && copies > 1) problems.push(`${enrollmentId}/${stepId}: uncertain with ${copies} copies`);
      else if (row?.status !== 'sent' && row?.status !== 'uncertain') problems.push(`${enrollmentId}/${stepId}: status ${row?.status ?? 'missing'}`);
    }
  }
  expect(problems).toEqual([]);
  // Nothing arrived that the outbox does not know about.
  const known = new Set(sends.map((s) => bare(s.message_id)));
  expect([...byMessageId.keys()].filter((id) => !known.has(id))).toEqual([]);
  const completed = await ctx.tdb.db.selectFrom('enrollments').select('id').where('id', 'in', enrollmentIds).where('status', '=', 'completed').execute();
  expect(completed).toHaveLength(CONTACTS);
});
