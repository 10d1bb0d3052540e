import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSmtpSink, type SmtpSink } from '../../scripts/smtp-sink';
import { bearer, callJson } from '../harness/api';
import { createApiContext, type ApiContext } from '../harness/api-context';
import { connectTestClient, startTestWorker, uniqueTaskQueue, type RunningWorker } from '../harness/temporal';
import { activeSequence, historyText, sinkContents } from './e2e';
import { seedContact } from '../harness/seed';
import { eventually } from '../harness/eventually';

/**
 * RULES: no personal data in workflow payloads, signals or queries. Real enrollments run through
 * the real worker (send, unsubscribe, pause/resume), then every history is read back and searched.
 */
const PEOPLE = [
  { firstName: 'Zenobia', lastName: 'Quillfeather', email: 'Zenobia.Quillfeather@Privacy.example' },
  { firstName: 'Bartholomew', lastName: 'Oakenshield', email: 'bart.oaken@privacy.example' },
  { firstName: 'Ottoline', lastName: 'Marchbanks', email: 'ottoline.m@privacy.example' },
];
const SUBJECT = 'Marmalade proposal for';
const BODY = 'confidential-gooseberry-terms';

let ctx: ApiContext;
let temporal: Awaited<ReturnType<typeof connectTestClient>>;
let sink: SmtpSink;
let worker: RunningWorker;
let mailDir: string;
const taskQueue = uniqueTaskQueue('no-pii');

beforeAll(async () => {
  ctx = await createApiContext({ TEMPORAL_TASK_QUEUE: taskQueue });
  temporal = await connectTestClient();
  mailDir = await fs.mkdtemp(path.join(os.tmpdir(), 'no-pii-mail-'));
  sink = await startSmtpSink({ port: 0, dir: mailDir });
  worker = await startTestWorker({ deps: { db: ctx.tdb.db, config: ctx.config }, taskQueue });
});
afterAll(async () => {
  await worker?.stop();
  await sink?.close();
  await temporal?.close();
  await ctx?.close();
  await fs.rm(mailDir, { recursive: true, force: true });
});

it('keeps emails, names, subjects and bodies out of every workflow history', async () => {
  const seq = await activeSequence(ctx.app, ctx.keys.admin, sink.port, [
    { subject: `${SUBJECT} {{contact.firstName}} {{contact.lastName}}`, html: `<p>Dear {{contact.fullName}} ({{contact.email}}), ${BODY}. <a href="https://example.com/offer">offer</a></p>`, text: `Dear {{contact.firstName}}, ${BODY}`, delay: 'PT0S' },
    { subject: `${SUBJECT} {{contact.email}}, again`, text: `Still ${BODY}, {{contact.firstName}}?`, delay: 'PT3S' },
  ]);
  const contactIds = await Promise.all(PEOPLE.map((p) => seedContact(ctx.tdb.db, p)));
  const { results } = await callJson(ctx.app, ctx.keys.rep, 'POST', `/v1/sequences/${seq.sequenceId}/enrollments`, { contactIds }, 200);
  const enrollmentIds = (results as { status: string; enrollmentId: string }[]).map((r) => {
    expect(r.status).toBe('enrolled');
    return r.enrollmentId;
  });

  // Signals with payloads: pause/resume one enrollment, unsubscribe another after its first email.
  await callJson(ctx.app, ctx.keys.rep, 'POST', `/v1/enrollments/${enrollmentIds[1]}/pause`, undefined, 202);
  await callJson(ctx.app, ctx.keys.rep, 'POST', `/v1/enrollments/${enrollmentIds[1]}/resume`, undefined, 202);
  await eventually(async () => ((await sinkContents(mailDir)).files.length >= 1 ? true : undefined), 'the first email to the third contact', 20_000);
  const unsub = await ctx.app.inject({ method: 'POST', url: `/v1/contacts/${contactIds[2]}/unsubscribe`, headers: bearer(ctx.keys.rep) });
  expect(unsub.statusCode).toBe(200);

  await eventually(async () => {
    const rows = await ctx.tdb.db.selectFrom('enrollments').select('status').where('id', 'in', enrollmentIds).execute();
    return rows.every((r) => r.status === 'completed' || r.status === 'ended') ? rows : undefined;
  }, 'every enrollment to finish', 30_000);
  // The database ends an unsubscribed enrollment at once; its workflow closes when the signal lands.
  await Promise.all(enrollmentIds.map((id) => temporal.client.workflow.getHandle(`enrollment-${id}`).result()));

  // Personal data really was used (in the emails), so its absence below means something.
  const mails = await Promise.all((await sinkContents(mailDir)).files.map((f) => fs.readFile(path.join(mailDir, f), 'utf8')));
  expect(mails.join('\n')).toContain('Zenobia');

  const runs = await eventually(async () => {
    const found = [];
    for await (const wf of temporal.client.workflow.list({ query: `TaskQueue = '${taskQueue}'` })) found.push(wf);
    return found.length >= enrollmentIds.length ? found : undefined;
  }, 'all workflow runs in visibility', 15_000);
  expect(runs.map((r) => r.workflowId).sort()).toEqual(enrollmentIds.map((id) => `enrollment-${id}`).sort());

  const forbidden = [...PEOPLE.flatMap((p) => [p.firstName, p.lastName, p.email, p.email.toLowerCase()]), SUBJECT, BODY, 'Dear '];
  for (const run of runs) {
    const text = historyText(await temporal.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory());
    // The decoding works: the workflow input payload (ids only) is readable.
    expect(text).toContain(`{"enrollmentId":"${run.workflowId.replace('enrollment-', '')}"}`);
    for (const value of forbidden) expect({ workflowId: run.workflowId, leaked: text.includes(value) ? value : null }).toEqual({ workflowId: run.workflowId, leaked: null });
  }
  const unsubscribedRun = runs.find((r) => r.workflowId === `enrollment-${enrollmentIds[2]}`)!;
  expect(historyText(await temporal.client.workflow.getHandle(unsubscribedRun.workflowId).fetchHistory())).toContain('{"reason":"UNSUBSCRIBED"}');
});
