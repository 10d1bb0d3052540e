import { loadSequenceRuleFacts } from '../../db/sequence-facts';
import { evaluateSequenceRules, SEQUENCE_RULES } from '../../domain/sequences/rules';
import { bearer } from '../harness/api';
import { createApiContext, type ApiContext } from '../harness/api-context';
import { seedContact, seedSequence, seedEnrollment, seedSend } from '../harness/seed';

let ctx: ApiContext;
beforeAll(async () => {
  ctx = await createApiContext();
});
afterAll(() => ctx.close());

const db = () => ctx.tdb.db;
const diagnose = (contactId: string, sequenceId?: string, key = ctx.keys.rep) =>
  ctx.app.inject({ method: 'GET', url: `/v1/contacts/${contactId}/diagnostics${sequenceId ? `?sequenceId=${sequenceId}` : ''}`, headers: bearer(key) });

type Rule = { rule: string; code: string | null; pass: boolean; detail: string; retryAt?: string };
const ALL_RULES = [...SEQUENCE_RULES.map((r) => r.rule), 'send_window', 'daily_limit', 'rate_limit', 'open_tracking', 'reply', 'unsubscribe'];
const failing = (rules: Rule[]) => rules.filter((r) => !r.pass).map((r) => r.code);
const byName = (rules: Rule[], name: string) => rules.find((r) => r.rule === name)!;

/** Local calendar date in a zone, `offsetDays` from now. */
const localDate = (timeZone: string, offsetDays: number) => new Intl.DateTimeFormat('en-CA', { timeZone }).format(new Date(Date.now() + offsetDays * 86_400_000));

describe('GET /v1/contacts/:id/diagnostics', () => {
  it('lists every rule and reports all failing facts at once, with the same results as the domain code', async () => {
    const seq = await seedSequence(db(), { status: 'paused', mailbox: { connected: false } });
    const contactId = await seedContact(db(), { email: 'many.problems@example.com', consent: 'opted_out', status: 'bounced' });
    await db().insertInto('suppressions').values({ address_normalized: 'many.problems@example.com', reason: 'manual', created_by: 'test' }).execute();

    const res = await diagnose(contactId, seq.sequenceId);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ contactId, sequenceId: seq.sequenceId, phase: 'enroll', enrollment: null });
    expect(body.rules.map((r: Rule) => r.rule)).toEqual(ALL_RULES);
    expect(failing(body.rules)).toEqual(['CONSENT_OPTED_OUT', 'SUPPRESSED', 'SEQUENCE_PAUSED', 'MAILBOX_NOT_CONNECTED', 'CONTACT_BOUNCED']);
    expect(byName(body.rules, 'suppression').detail).toContain('reason: manual');
    for (const r of body.rules as Rule[]) expect(r.detail).not.toContain('many.problems');

    const facts = await loadSequenceRuleFacts(db(), contactId, seq.sequenceId);
    expect(body.rules.slice(0, SEQUENCE_RULES.length)).toEqual(evaluateSequenceRules(facts, 'enroll'));
  });

  it("evaluates a live enrollment in the send phase and shows what it waits for and when it sends next", async () => {
    const seq = await seedSequence(db(), { status: 'paused' });
    const contactId = await seedContact(db());
    const nextSendAt = new Date('2030-01-02T09:00:00.000Z');
    const enrollmentId = await seedEnrollment(db(), { contactId, sequenceId: seq.sequenceId, status: 'paused', waitingFor: ['SEQUENCE_PAUSED'], nextSendAt });
    const body = (await diagnose(contactId, seq.sequenceId)).json();
    expect(body.phase).toBe('send');
    expect(body.enrollment).toEqual({ id: enrollmentId, status: 'paused', waitingFor: ['SEQUENCE_PAUSED'], nextSendAt: nextSendAt.toISOString(), endedReason: null });
    expect(byName(body.rules, 'one_enrollment')).toMatchObject({ pass: true, code: null });
    expect(failing(body.rules)).toEqual(['SEQUENCE_PAUSED']);
  });

  it("reports the send window in the contact's time zone with the next window's opening", async () => {
    const zone = 'Asia/Tokyo';
    // Every day is allowed but yesterday, today and tomorrow are holidays: outside the window however the clock moves.
    const holidays = [-1, 0, 1].map((d) => localDate(zone, d));
    const seq = await seedSequence(db(), { sendWindow: { days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '23:59', holidays }, timeZone: 'Europe/Berlin' });
    const contactId = await seedContact(db(), { timeZone: zone });
    await seedEnrollment(db(), { contactId, sequenceId: seq.sequenceId });
    const rule = byName((await diagnose(contactId, seq.sequenceId)).json().rules, 'send_window');
    expect(rule).toMatchObject({ code: 'OUTSIDE_SEND_WINDOW', pass: false });
    expect(rule.detail).toContain("Asia/Tokyo (the contact's time zone)");
    // The next window opens at local midnight in Tokyo (15:00 UTC), at least a day from now.
    expect(rule.retryAt).toMatch(/T15:00:00\.000Z$/);
    expect(Date.parse(rule.retryAt!)).toBeGreaterThan(Date.now() + 86_400_000 - 60_000);

    const anyTime = await seedSequence(db(), { sendWindow: null });
    expect(byName((await diagnose(contactId, anyTime.sequenceId)).json().rules, 'send_window')).toMatchObject({ pass: true, code: null });
  });

  it('reports both sending limits when the mailbox counters are full', async () => {
    const seq = await seedSequence(db(), { mailbox: { dailyLimit: 5, perMinuteLimit: 2 } });
    const contactId = await seedContact(db());
    const now = new Date();
    await db()
      .insertInto('mailbox_send_counters')
      .values([
        { mailbox_id: seq.mailboxId, window_kind: 'day', window_start: new Date(now.getTime() - 3_600_000), count: 5 },
        { mailbox_id: seq.mailboxId, window_kind: 'minute', window_start: now, count: 2 },
      ])
      .execute();
    const rules: Rule[] = (await diagnose(contactId, seq.sequenceId)).json().rules;
    expect(byName(rules, 'daily_limit')).toMatchObject({ code: 'MAILBOX_DAILY_LIMIT', pass: false, retryAt: new Date(now.getTime() - 3_600_000 + 86_400_000).toISOString() });
    expect(byName(rules, 'rate_limit')).toMatchObject({ code: 'MAILBOX_RATE_LIMIT', pass: false, retryAt: new Date(now.getTime() + 60_000).toISOString() });
    expect(byName(rules, 'daily_limit').detail).toContain('5 of its 5');
  });

  it('explains opens: plain-text sends cannot be tracked, HTML opens are counted', async () => {
    const seq = await seedSequence(db(), { steps: [{ html: '<p>1</p>' }, { text: 'two' }] });
    const contactId = await seedContact(db());
    const enrollmentId = await seedEnrollment(db(), { contactId, sequenceId: seq.sequenceId });
    const html = await seedSend(db(), { enrollmentId, stepId: seq.stepIds[0]!, mailboxId: seq.mailboxId, hasHtml: true });
    await seedSend(db(), { enrollmentId, stepId: seq.stepIds[1]!, mailboxId: seq.mailboxId, hasHtml: false });
    await db().insertInto('activities').values({ contact_id: contactId, type: 'email_opened', data: JSON.stringify({ sendId: html.id, enrollmentId }), actor: 'tracking:pixel' }).execute();
    const rule = byName((await diagnose(contactId, seq.sequenceId)).json().rules, 'open_tracking');
    expect(rule).toMatchObject({ code: 'OPEN_TRACKING_UNAVAILABLE_PLAIN_TEXT', pass: false });
    expect(rule.detail).toContain(`1 of 2 emails sent were plain text only (steps ${seq.stepIds[1]})`);
    expect(rule.detail).toContain('1 of them opened');

    const htmlOnly = await seedSequence(db());
    expect(byName((await diagnose(contactId, htmlOnly.sequenceId)).json().rules, 'open_tracking')).toMatchObject({ pass: true });
  });

  it('explains an unsubscribe and a reply, and without sequenceId covers every sequence the contact was in', async () => {
    const seqA = await seedSequence(db());
    const seqB = await seedSequence(db(), { unenrollOnReply: true });
    const contactId = await seedContact(db());
    // Enrolled a minute apart: the timestamps alone say which came first (same-millisecond inserts would tie).
    await seedEnrollment(db(), { contactId, sequenceId: seqA.sequenceId, createdAt: new Date(Date.now() - 60_000) });
    const replied = await seedEnrollment(db(), { contactId, sequenceId: seqB.sequenceId, status: 'ended', endedReason: 'REPLIED' });
    await db().insertInto('activities').values({ contact_id: contactId, type: 'replied', reason_code: 'REPLIED', data: JSON.stringify({ sequenceId: seqB.sequenceId, enrollmentId: replied }), actor: 'webhook:mail-events' }).execute();
    const unsub = await ctx.app.inject({ method: 'POST', url: `/v1/contacts/${contactId}/unsubscribe`, headers: bearer(ctx.keys.rep) });
    expect(unsub.statusCode).toBe(200);

    const res = await diagnose(contactId);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.contactId).toBe(contactId);
    expect(body.sequences.map((s: { sequenceId: string }) => s.sequenceId)).toEqual([seqA.sequenceId, seqB.sequenceId]);
    const [a, b] = body.sequences as { rules: Rule[]; enrollment: { endedReason: string }; phase: string }[];
    expect(a!.phase).toBe('enroll');
    expect(a!.enrollment.endedReason).toBe('UNSUBSCRIBED');
    expect(failing(a!.rules)).toEqual(['SUPPRESSED', 'CONTACT_UNSUBSCRIBED', 'UNSUBSCRIBED']);
    expect(byName(a!.rules, 'unsubscribe').detail).toMatch(/unsubscribed at .*\(api\): the address is on the suppression list, no enrollment is live; 0 email\(s\) sent after it/);
    expect(byName(b!.rules, 'reply')).toMatchObject({ code: 'REPLIED', pass: false });
  });

  it('answers 404 for an unknown contact or sequence and 400 naming a bad sequenceId', async () => {
    const contactId = await seedContact(db());
    expect((await diagnose('00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    const unknownSeq = await diagnose(contactId, '00000000-0000-4000-8000-000000000000');
    expect(unknownSeq.statusCode).toBe(404);
    expect(unknownSeq.json().error.message).toContain('Sequence');
    const bad = await diagnose(contactId, 'nope');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('querystring.sequenceId');
    expect((await diagnose(contactId)).json()).toEqual({ contactId, sequences: [] });
  });
});
