import { Client as PgClient } from 'pg';
import { enrollmentContract } from '../../workflows/enrollment/contract';
import { bearer } from '../harness/api';
import { createApiContext, type ApiContext } from '../harness/api-context';
import { connectTestClient, uniqueTaskQueue } from '../harness/temporal';
import { signToken } from './fixtures';
import { seedContact, seedSequence, seedEnrollment, seedSend, seedSentEmail, activitiesOf, enrollmentRow, type SeededSequence } from '../harness/seed';

let ctx: ApiContext;
let temporal: Awaited<ReturnType<typeof connectTestClient>>;
let seqA: SeededSequence;
let seqB: SeededSequence;
beforeAll(async () => {
  ctx = await createApiContext();
  temporal = await connectTestClient();
  seqA = await seedSequence(ctx.tdb.db);
  seqB = await seedSequence(ctx.tdb.db);
});
afterAll(async () => {
  await temporal.close();
  await ctx.close();
});

const db = () => ctx.tdb.db;
const contactRow = (id: string) => db().selectFrom('contacts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const suppressionsOf = (address: string) => db().selectFrom('suppressions').selectAll().where('address_normalized', '=', address).execute();

/** A contact with live enrollments in two sequences (active, paused), plus finished ones that must stay as they are. */
async function contactInTwoSequences(email: string) {
  const contactId = await seedContact(db(), { email });
  const activeA = await seedEnrollment(db(), { contactId, sequenceId: seqA.sequenceId, status: 'active' });
  const pausedB = await seedEnrollment(db(), { contactId, sequenceId: seqB.sequenceId, status: 'paused', waitingFor: ['SEQUENCE_PAUSED'] });
  const completedA = await seedEnrollment(db(), { contactId, sequenceId: seqA.sequenceId, status: 'completed' });
  const endedB = await seedEnrollment(db(), { contactId, sequenceId: seqB.sequenceId, status: 'ended', endedReason: 'UNENROLLED' });
  return { contactId, live: [activeA, pausedB].sort(), finished: { completedA, endedB } };
}

describe('POST /v1/contacts/:id/unsubscribe', () => {
  it('ends every live enrollment, sets unsubscribed, suppresses the normalised address and logs once', async () => {
    const c = await contactInTwoSequences('Grace.Hopper@Example.COM');
    const res = await ctx.app.inject({ method: 'POST', url: `/v1/contacts/${c.contactId}/unsubscribe`, headers: bearer(ctx.keys.rep) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ contactId: c.contactId, status: 'unsubscribed', outcome: 'applied', suppressed: true, endedEnrollmentIds: c.live });

    expect((await contactRow(c.contactId)).status).toBe('unsubscribed');
    for (const id of c.live) expect(await enrollmentRow(db(), id)).toMatchObject({ status: 'ended', ended_reason: 'UNSUBSCRIBED', waiting_for: [], next_send_at: null });
    expect((await enrollmentRow(db(), c.finished.completedA)).status).toBe('completed');
    expect(await enrollmentRow(db(), c.finished.endedB)).toMatchObject({ status: 'ended', ended_reason: 'UNENROLLED' });
    const suppressions = await suppressionsOf('grace.hopper@example.com');
    expect(suppressions).toEqual([expect.objectContaining({ reason: 'unsubscribed', created_by: `user:${ctx.keys.userIds.rep}` })]);
    const logged = await activitiesOf(db(), c.contactId, 'unsubscribed');
    expect(logged).toEqual([expect.objectContaining({ reason_code: 'UNSUBSCRIBED', actor: `user:${ctx.keys.userIds.rep}` })]);
    expect(logged[0]!.data).toMatchObject({ source: 'api', endedEnrollmentIds: c.live });

    // Again: nothing left to change, nothing logged twice.
    const again = await ctx.app.inject({ method: 'POST', url: `/v1/contacts/${c.contactId}/unsubscribe`, headers: bearer(ctx.keys.rep) });
    expect(again.json()).toMatchObject({ outcome: 'unchanged', endedEnrollmentIds: [] });
    expect(await activitiesOf(db(), c.contactId, 'unsubscribed')).toHaveLength(1);
    expect(await suppressionsOf('grace.hopper@example.com')).toHaveLength(1);
  });

  it('signals endEnrollment {reason: UNSUBSCRIBED} to the running workflow, with ids only', async () => {
    const contactId = await seedContact(db());
    const enrollmentId = await seedEnrollment(db(), { contactId, sequenceId: seqA.sequenceId });
    // A workflow no worker polls: it stays open, and its history records every signal it receives.
    const handle = await temporal.client.workflow.start('placeholderWorkflow', { workflowId: enrollmentContract.id(enrollmentId), taskQueue: uniqueTaskQueue('unpolled') });
    try {
      const res = await ctx.app.inject({ method: 'POST', url: `/v1/contacts/${contactId}/unsubscribe`, headers: bearer(ctx.keys.rep) });
      expect(res.json().endedEnrollmentIds).toEqual([enrollmentId]);
      const history = await handle.fetchHistory();
      const signals = (history.events ?? []).flatMap((e) => (e.workflowExecutionSignaledEventAttributes ? [e.workflowExecutionSignaledEventAttributes] : []));
      expect(signals.map((s) => s.signalName)).toEqual(['endEnrollment']);
      const payload = signals[0]!.input!.payloads![0]!;
      expect(JSON.parse(Buffer.from(payload.data!).toString('utf8'))).toEqual({ reason: 'UNSUBSCRIBED' });
    } finally {
      await handle.terminate('test done');
    }
  });

  it('keeps an earlier suppression reason and handles a contact without an address', async () => {
    const contactId = await seedContact(db(), { email: 'kept@example.com' });
    await db().insertInto('suppressions').values({ address_normalized: 'kept@example.com', reason: 'manual', created_by: 'test' }).execute();
    const res = await ctx.app.inject({ method: 'POST', url: `/v1/contacts/${contactId}/unsubscribe`, headers: bearer(ctx.keys.admin) });
    expect(res.json()).toMatchObject({ outcome: 'applied', suppressed: true });
    expect(await suppressionsOf('kept@example.com')).toEqual([expect.objectContaining({ reason: 'manual' })]);

    const noEmail = await seedContact(db(), { email: null });
    const res2 = await ctx.app.inject({ method: 'POST', url: `/v1/contacts/${noEmail}/unsubscribe`, headers: bearer(ctx.keys.rep) });
    expect(res2.json()).toMatchObject({ outcome: 'applied', suppressed: false });
    expect((await contactRow(noEmail)).status).toBe('unsubscribed');
  });

  it('answers 404 for an unknown contact, 400 naming params.id, 403 without contacts:write', async () => {
    const unknown = await ctx.app.inject({ method: 'POST', url: '/v1/contacts/00000000-0000-4000-8000-000000000000/unsubscribe', headers: bearer(ctx.keys.rep) });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('NOT_FOUND');
    const bad = await ctx.app.inject({ method: 'POST', url: '/v1/contacts/nope/unsubscribe', headers: bearer(ctx.keys.rep) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('params.id');
    const contactId = await seedContact(db());
    const forbidden = await ctx.app.inject({ method: 'POST', url: `/v1/contacts/${contactId}/unsubscribe`, headers: bearer(ctx.keys.operator) });
    expect(forbidden.statusCode).toBe(403);
    expect((await contactRow(contactId)).status).toBe('active');
  });

  it('waits for a send claim in progress (same locks, same order), so the two never interleave or deadlock', async () => {
    const contactId = await seedContact(db());
    const enrollmentId = await seedEnrollment(db(), { contactId, sequenceId: seqA.sequenceId });
    // Stand-in for the send activity's claim, in its lock order (activities/sequences/claim-send.ts):
    // contact row FOR SHARE, then the enrollment row FOR UPDATE. The unsubscribe starts in between; had
    // it locked the enrollments before the contact, the claim's second lock would deadlock.
    const claim = new PgClient({ connectionString: ctx.tdb.url });
    await claim.connect();
    try {
      await claim.query('begin');
      await claim.query('select id from contacts where id = $1 for share', [contactId]);
      const pending = ctx.app.inject({ method: 'POST', url: `/v1/contacts/${contactId}/unsubscribe`, headers: bearer(ctx.keys.rep) });
      await waitForLockWaiter(claim);
      await claim.query('select id from enrollments where id = $1 for update', [enrollmentId]);
      // The claim still sees a live enrollment and commits (hands the email over) before the unsubscribe.
      expect((await claim.query('select status from enrollments where id = $1', [enrollmentId])).rows[0].status).toBe('active');
      await claim.query('commit');
      const res = await pending;
      expect(res.statusCode).toBe(200);
      expect(res.json().endedEnrollmentIds).toEqual([enrollmentId]);
    } finally {
      await claim.end();
    }
  });
});

/** Polls pg_locks until another backend waits for a lock: no sleeps on luck. */
async function waitForLockWaiter(client: PgClient): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { rows } = await client.query<{ n: string }>('select count(*) as n from pg_locks where not granted');
    if (Number(rows[0]!.n) > 0) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('the unsubscribe never waited for the contact lock');
}

describe('one-click unsubscribe /u/:token', () => {
  it('GET shows a confirmation form and changes nothing (scanners prefetch links)', async () => {
    const contactId = await seedContact(db(), { email: 'prefetch@example.com' });
    const { sendId, enrollmentId } = await seedSentEmail(db(), seqA, contactId);
    const res = await ctx.app.inject({ method: 'GET', url: `/u/${signToken({ k: 'u', s: sendId })}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatch(/<form method="post">/);
    expect(res.body).toContain('name="List-Unsubscribe" value="One-Click"');
    expect(res.body).not.toContain('prefetch@example.com');
    expect((await contactRow(contactId)).status).toBe('active');
    expect((await enrollmentRow(db(), enrollmentId)).status).toBe('active');
    expect(await suppressionsOf('prefetch@example.com')).toHaveLength(0);
  });

  it('POST with the RFC 8058 form body ends all live enrollments of the contact', async () => {
    const c = await contactInTwoSequences('one.click@example.com');
    const other = await seedSentEmail(db(), seqA, await seedContact(db()));
    // The token names an email of the contact's live enrollment in sequence A.
    const mine = await seedSend(db(), { enrollmentId: c.live[0]!, stepId: seqA.stepIds[0]!, mailboxId: seqA.mailboxId });
    const res = await ctx.app.inject({ method: 'POST', url: `/u/${signToken({ k: 'u', s: mine.id })}`, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, payload: 'List-Unsubscribe=One-Click' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ unsubscribed: true });
    expect((await contactRow(c.contactId)).status).toBe('unsubscribed');
    for (const id of c.live) expect(await enrollmentRow(db(), id)).toMatchObject({ status: 'ended', ended_reason: 'UNSUBSCRIBED' });
    expect(await suppressionsOf('one.click@example.com')).toEqual([expect.objectContaining({ reason: 'unsubscribed', created_by: 'link:one-click' })]);
    const logged = await activitiesOf(db(), c.contactId, 'unsubscribed');
    expect(logged).toEqual([expect.objectContaining({ actor: 'link:one-click', reason_code: 'UNSUBSCRIBED' })]);
    expect(logged[0]!.data).toMatchObject({ source: 'one_click', sendId: mine.id });
    // Another contact's enrollment is untouched.
    expect((await enrollmentRow(db(), other.enrollmentId)).status).toBe('active');
  });

  it('POST with an empty body works, and a browser form submit gets an HTML page', async () => {
    const a = await seedContact(db());
    const sa = await seedSentEmail(db(), seqB, a);
    const empty = await ctx.app.inject({ method: 'POST', url: `/u/${signToken({ k: 'u', s: sa.sendId })}` });
    expect(empty.statusCode).toBe(200);
    expect((await enrollmentRow(db(), sa.enrollmentId)).ended_reason).toBe('UNSUBSCRIBED');

    const b = await seedContact(db());
    const sb = await seedSentEmail(db(), seqB, b);
    const browser = await ctx.app.inject({ method: 'POST', url: `/u/${signToken({ k: 'u', s: sb.sendId })}`, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html,application/xhtml+xml' }, payload: 'List-Unsubscribe=One-Click' });
    expect(browser.statusCode).toBe(200);
    expect(browser.headers['content-type']).toMatch(/^text\/html/);
    expect(browser.body).toContain('You are unsubscribed');
    expect((await contactRow(b)).status).toBe('unsubscribed');
  });

  it('answers a forged, foreign-kind or unknown token with a bare 404 and changes nothing', async () => {
    const contactId = await seedContact(db());
    const { sendId, enrollmentId } = await seedSentEmail(db(), seqA, contactId);
    const good = signToken({ k: 'u', s: sendId });
    const tokens = [
      `${good.split('.')[0]}.${'A'.repeat(32)}`, // forged signature
      signToken({ k: 'o', s: sendId }), // an open-pixel token
      signToken({ k: 'u', s: '00000000-0000-4000-8000-000000000000' }), // no such send
      signToken({ k: 'u', s: 'not-a-uuid' }),
      'garbage',
    ];
    for (const token of tokens) {
      const post = await ctx.app.inject({ method: 'POST', url: `/u/${token}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
      expect(post.statusCode).toBe(404);
      expect(post.json().error).toMatchObject({ code: 'NOT_FOUND', message: 'This link is not valid.' });
      const get = await ctx.app.inject({ method: 'GET', url: `/u/${token}` });
      expect(get.statusCode).toBe(404);
      expect(get.headers['content-type']).toMatch(/^text\/html/);
      expect(get.body).not.toMatch(/<form/);
    }
    expect((await enrollmentRow(db(), enrollmentId)).status).toBe('active');
    expect((await contactRow(contactId)).status).toBe('active');
  });
});
