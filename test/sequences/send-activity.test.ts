/**
 * The send activity on its own (no workflow): the claim's re-checks under locks, the outbox states,
 * and what each kind of transport failure does to the never-twice guarantee.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MailboxRow } from '../../integrations/mail/mailbox-transports';
import { createSmtpTransport } from '../../integrations/mail/smtp-transport';
import { MailTransportError, type MailTransport, type OutgoingMail } from '../../integrations/mail/transport';
import { createSequenceActivities } from '../../activities/sequences';
import type { Db } from '../../db/database';
import { createSecretBox } from '../../db/secret-box';
import { startSmtpSink, type SmtpSink } from '../../scripts/smtp-sink';
import { TEST_SECRETS_KEY, testConfig } from '../harness/config';
import { createTestDatabase, type TestDatabase } from '../harness/database';
import { emlFiles } from './helpers';
import { seedContact } from '../harness/seed';

let tdb: TestDatabase;
let db: Db;
let sink: SmtpSink;
let dir: string;
/** What the fake transport does next; by default it delivers to the SMTP sink. */
let failWith: Error | null = null;
const handedOver: OutgoingMail[] = [];
/** The mailbox secret each transport was built with (decrypted by the activities). */
const transportSecrets: Array<string | null> = [];
/** The activities' clock (injected): fixed where a test depends on which minute it is, the real one otherwise. */
let clockMs: number | undefined;

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = tdb.db;
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'crm-send-activity-'));
  sink = await startSmtpSink({ port: 0, dir });
});
afterAll(async () => {
  await sink.close();
  await tdb.drop();
  await fs.rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  clockMs = undefined;
  failWith = null;
  handedOver.length = 0;
  transportSecrets.length = 0;
});

function activities() {
  const real = (m: MailboxRow): MailTransport => createSmtpTransport({ host: '127.0.0.1', port: Number(m.settings.port), secure: false });
  return createSequenceActivities({
    db,
    config: testConfig(),
    clock: () => clockMs ?? Date.now(),
    mailTransportFor: (m) => (transportSecrets.push(m.secret), {
      async send(msg) {
        handedOver.push(msg);
        if (failWith) throw failWith;
        const t = real(m);
        try {
          return await t.send(msg);
        } finally {
          t.close();
        }
      },
      close() {},
    }),
  });
}

/** An active sequence with one step and a live enrollment (inserted directly: no workflow here). */
async function fixture(opts: { perMinuteLimit?: number; secret?: string } = {}) {
  const mailbox = await db
    .insertInto('mailboxes')
    .values({ provider: 'smtp', address: 'sales@crm.test', settings: JSON.stringify({ host: '127.0.0.1', port: sink.port, secure: false }), per_minute_limit: opts.perMinuteLimit, secret: opts.secret ?? null })
    .returning('id')
    .executeTakeFirstOrThrow();
  const seq = await db.insertInto('sequences').values({ name: 's', mailbox_id: mailbox.id, status: 'active', send_window: JSON.stringify(null) }).returning('id').executeTakeFirstOrThrow();
  const step = await db.insertInto('sequence_steps').values({ sequence_id: seq.id, position: 0, subject: 'Hi', text: 'Hello', delay: 'PT0S', delay_ms: 0 }).returning('id').executeTakeFirstOrThrow();
  const contactId = await seedContact(db);
  const enrollment = await db.insertInto('enrollments').values({ sequence_id: seq.id, contact_id: contactId }).returning('id').executeTakeFirstOrThrow();
  return { mailboxId: mailbox.id, sequenceId: seq.id, stepId: step.id, contactId, enrollmentId: enrollment.id, input: { enrollmentId: enrollment.id, stepId: step.id, nowMs: Date.now() } };
}

const row = (enrollmentId: string) => db.selectFrom('email_sends').selectAll().where('enrollment_id', '=', enrollmentId).executeTakeFirst();
const activityTypes = async (contactId: string) => (await db.selectFrom('activities').select(['type', 'reason_code']).where('contact_id', '=', contactId).orderBy('id').execute()).map((a) => [a.type, a.reason_code]);

describe('sendEnrollmentStep', () => {
  it('sends once; a repeated call is a no-op that reports the first send', async () => {
    const f = await fixture();
    const before = (await emlFiles(dir)).length;
    const first = await activities().sendEnrollmentStep(f.input);
    expect(first).toEqual({ kind: 'sent', atMs: expect.any(Number) });
    const again = await activities().sendEnrollmentStep({ ...f.input, nowMs: Date.now() + 5_000 });
    expect(again).toEqual(first);
    expect((await emlFiles(dir)).length).toBe(before + 1);
    expect(await row(f.enrollmentId)).toMatchObject({ status: 'sent', message_id: expect.stringMatching(/^<send-[0-9a-f-]{36}@crm-workflows\.local>$/) });
    expect(await activityTypes(f.contactId)).toEqual([['email_sent', 'OPEN_TRACKING_UNAVAILABLE_PLAIN_TEXT']]); // a text-only step
  });

  it('never sends a row it finds claimed: the step becomes uncertain (SEND_UNCERTAIN), visibly', async () => {
    const f = await fixture();
    await db.insertInto('email_sends').values({ enrollment_id: f.enrollmentId, step_id: f.stepId, mailbox_id: f.mailboxId, status: 'claimed', message_id: '<crashed@crm-workflows.local>', claimed_at: new Date(), links: '[]' }).execute();
    const result = await activities().sendEnrollmentStep(f.input);
    expect(result).toEqual({ kind: 'uncertain', atMs: expect.any(Number) });
    expect(handedOver).toHaveLength(0);
    expect(await row(f.enrollmentId)).toMatchObject({ status: 'uncertain', reason_code: 'SEND_UNCERTAIN' });
    expect(await activities().sendEnrollmentStep(f.input)).toEqual(result);
    expect(handedOver).toHaveLength(0);
    expect(await activityTypes(f.contactId)).toEqual([['email_uncertain', 'SEND_UNCERTAIN']]);
  });

  it('decrypts the stored mailbox credentials for the transport; unreadable ones defer the send (nothing lost, nothing sent)', async () => {
    const sealed = await fixture({ secret: createSecretBox(TEST_SECRETS_KEY).seal('smtp-password') });
    expect(await activities().sendEnrollmentStep(sealed.input)).toMatchObject({ kind: 'sent' });
    expect(transportSecrets).toEqual(['smtp-password']);

    // Sealed under another key (e.g. a worker started with the wrong SECRETS_KEY).
    const foreign = await fixture({ secret: createSecretBox(Buffer.alloc(32, 9).toString('base64')).seal('other') });
    const before = Date.now();
    const result = await activities().sendEnrollmentStep(foreign.input);
    expect(result).toEqual({ kind: 'deferred', code: 'MAILBOX_CREDENTIALS_UNREADABLE', retryAtMs: expect.any(Number) });
    expect(result.kind === 'deferred' && result.retryAtMs).toBeGreaterThanOrEqual(before + 5 * 60_000);
    expect(handedOver).toHaveLength(1); // only the first fixture's
    expect(await row(foreign.enrollmentId)).toMatchObject({ status: 'pending', claimed_at: null });
    expect(await activityTypes(foreign.contactId)).toEqual([['email_deferred', 'MAILBOX_CREDENTIALS_UNREADABLE']]);
  });

  it('two concurrent attempts hand the message over once', async () => {
    const f = await fixture();
    const results = await Promise.all([activities().sendEnrollmentStep(f.input), activities().sendEnrollmentStep(f.input)]);
    expect(handedOver).toHaveLength(1);
    expect(results.map((r) => r.kind).sort()).toEqual(expect.arrayContaining(['sent']));
    // The loser saw the claim and reported uncertain, or came after the confirmation and saw sent; the row ends sent.
    expect((await row(f.enrollmentId))?.status).toBe('sent');
  });

  it('re-checks the rules under the claim: an opt-out between gate and claim blocks the send', async () => {
    const f = await fixture();
    await db.updateTable('contacts').set({ status: 'unsubscribed', consent: 'opted_out' }).where('id', '=', f.contactId).execute();
    expect(await activities().sendEnrollmentStep(f.input)).toEqual({ kind: 'blocked', codes: ['CONSENT_OPTED_OUT', 'CONTACT_UNSUBSCRIBED'] });
    expect(handedOver).toHaveLength(0);
    expect(await row(f.enrollmentId)).toMatchObject({ status: 'blocked', reason_code: 'CONSENT_OPTED_OUT' });
  });

  it('holds on a paused sequence and does nothing for an enrollment that is no longer live', async () => {
    const f = await fixture();
    await db.updateTable('sequences').set({ status: 'paused' }).where('id', '=', f.sequenceId).execute();
    expect(await activities().sendEnrollmentStep(f.input)).toEqual({ kind: 'hold', codes: ['SEQUENCE_PAUSED'] });
    await db.updateTable('enrollments').set({ status: 'ended', ended_reason: 'UNSUBSCRIBED' }).where('id', '=', f.enrollmentId).execute();
    expect(await activities().sendEnrollmentStep(f.input)).toEqual({ kind: 'ended', reason: 'UNSUBSCRIBED' });
    expect(handedOver).toHaveLength(0);
    expect(await row(f.enrollmentId)).toBeUndefined();
  });

  it('skips a step removed from the sequence', async () => {
    const f = await fixture();
    await db.updateTable('sequence_steps').set({ removed_at: new Date() }).where('id', '=', f.stepId).execute();
    expect(await activities().sendEnrollmentStep(f.input)).toEqual({ kind: 'skipped', code: 'STEP_REMOVED', atMs: expect.any(Number) });
    expect(handedOver).toHaveLength(0);
  });

  it('defers over the per-minute limit (MAILBOX_RATE_LIMIT) to the next minute, across enrollments of the mailbox', async () => {
    const a = await fixture({ perMinuteLimit: 1 });
    const b = await fixture();
    // Same mailbox for b: point its sequence at a's mailbox.
    await db.updateTable('sequences').set({ mailbox_id: a.mailboxId }).where('id', '=', b.sequenceId).execute();
    const nowMs = Math.floor(Date.now() / 60_000) * 60_000 + 1_000;
    // Both sends happen in the same minute whatever the real clock does between them.
    clockMs = nowMs;
    expect((await activities().sendEnrollmentStep({ ...a.input, nowMs })).kind).toBe('sent');
    const deferred = await activities().sendEnrollmentStep({ ...b.input, nowMs });
    expect(deferred).toEqual({ kind: 'deferred', code: 'MAILBOX_RATE_LIMIT', retryAtMs: nowMs - 1_000 + 60_000 });
    expect(await row(b.enrollmentId)).toBeUndefined();
    expect(await activityTypes(b.contactId)).toEqual([['email_deferred', 'MAILBOX_RATE_LIMIT']]);
    // Next minute: room again.
    expect((await activities().sendEnrollmentStep({ ...b.input, nowMs: nowMs + 60_000 })).kind).toBe('sent');
  });

  it('a permanent refusal blocks the step with MAILBOX_SEND_FAILED', async () => {
    const f = await fixture();
    failWith = new MailTransportError('SMTP send failed: 550 rejected', { provider: 'smtp', stage: 'submit', retryable: false, status: 550 });
    expect(await activities().sendEnrollmentStep(f.input)).toEqual({ kind: 'blocked', codes: ['MAILBOX_SEND_FAILED'] });
    expect(await row(f.enrollmentId)).toMatchObject({ status: 'blocked', reason_code: 'MAILBOX_SEND_FAILED' });
    expect(await activityTypes(f.contactId)).toEqual([['email_blocked', 'MAILBOX_SEND_FAILED']]);
  });

  it('a failure that proves nothing went out releases the claim (MAILBOX_UNAVAILABLE) and a later attempt sends', async () => {
    const f = await fixture();
    failWith = new MailTransportError('SMTP send failed: 421 try later', { provider: 'smtp', stage: 'submit', retryable: true, status: 421 });
    const deferred = await activities().sendEnrollmentStep(f.input);
    expect(deferred).toEqual({ kind: 'deferred', code: 'MAILBOX_UNAVAILABLE', retryAtMs: expect.any(Number) });
    expect(await row(f.enrollmentId)).toMatchObject({ status: 'pending' });
    failWith = null;
    expect((await activities().sendEnrollmentStep({ ...f.input, nowMs: Date.now() })).kind).toBe('sent');
    expect(handedOver).toHaveLength(2);
    expect(new Set(handedOver.map((m) => m.messageId)).size).toBe(1); // the same message, retried
  });

  it('a failure after which the message may have gone out makes the step uncertain, never retried', async () => {
    const f = await fixture();
    failWith = new MailTransportError('SMTP send failed: Connection closed unexpectedly', { provider: 'smtp', stage: 'submit', retryable: true, code: 'ECONNECTION' });
    expect(await activities().sendEnrollmentStep(f.input)).toEqual({ kind: 'uncertain', atMs: expect.any(Number) });
    failWith = null;
    expect((await activities().sendEnrollmentStep(f.input)).kind).toBe('uncertain');
    expect(handedOver).toHaveLength(1);
    expect(await row(f.enrollmentId)).toMatchObject({ status: 'uncertain', reason_code: 'SEND_UNCERTAIN' });
  });
});

describe('runEnrollmentStep (gate check, claim, send and next plan in one call)', () => {
  /** A second step, due a day after the first is sent. */
  const addStep = async (sequenceId: string) =>
    (await db.insertInto('sequence_steps').values({ sequence_id: sequenceId, position: 1, subject: 'Again', text: 'Hello again', delay: 'P1D', delay_ms: 86_400_000 }).returning('id').executeTakeFirstOrThrow()).id;
  const enrollmentRow = (id: string) => db.selectFrom('enrollments').select(['status', 'current_step_id', 'next_send_at', 'waiting_for']).where('id', '=', id).executeTakeFirstOrThrow();

  it('sends once and records the next step on the enrollment as the planner would; a repeated call sends nothing', async () => {
    const f = await fixture();
    const second = await addStep(f.sequenceId);
    const before = (await emlFiles(dir)).length;
    const first = await activities().runEnrollmentStep(f.input);
    expect(first).toEqual({ kind: 'send', sent: { kind: 'sent', atMs: expect.any(Number) }, next: { stepId: second, delayMs: 86_400_000 } });
    const atMs = first.kind === 'send' && first.sent.kind === 'sent' ? first.sent.atMs : NaN;
    expect(await enrollmentRow(f.enrollmentId)).toEqual({ status: 'active', current_step_id: second, next_send_at: new Date(atMs + 86_400_000), waiting_for: [] });
    // What planEnrollmentStep answers now agrees (and writes the same row).
    expect(await activities().planEnrollmentStep({ enrollmentId: f.enrollmentId, afterStepId: f.stepId, baseMs: atMs })).toEqual({ stepId: second, delayMs: 86_400_000 });
    expect(await enrollmentRow(f.enrollmentId)).toEqual({ status: 'active', current_step_id: second, next_send_at: new Date(atMs + 86_400_000), waiting_for: [] });

    // A re-run (e.g. the workflow task was lost after the send) finds the row sent: no second message, no plan.
    expect(await activities().runEnrollmentStep({ ...f.input, nowMs: Date.now() + 5_000 })).toEqual({ kind: 'send', sent: first.kind === 'send' ? first.sent : undefined });
    expect((await emlFiles(dir)).length).toBe(before + 1);
    expect(handedOver).toHaveLength(1);
  });

  it('answers null for the next step after the last one (the enrollment completes), and plans nothing on the row', async () => {
    const f = await fixture();
    expect(await activities().runEnrollmentStep(f.input)).toEqual({ kind: 'send', sent: { kind: 'sent', atMs: expect.any(Number) }, next: null });
    expect(await activities().planEnrollmentStep({ enrollmentId: f.enrollmentId, afterStepId: f.stepId, baseMs: Date.now() })).toBeNull();
    expect(await enrollmentRow(f.enrollmentId)).toMatchObject({ status: 'active', current_step_id: f.stepId });
  });

  it.each([
    ['a rule that ends it (opt-out)', (f: Awaited<ReturnType<typeof fixture>>) => db.updateTable('contacts').set({ status: 'unsubscribed', consent: 'opted_out' }).where('id', '=', f.contactId).execute()],
    ['a rule that holds it (sequence paused)', (f: Awaited<ReturnType<typeof fixture>>) => db.updateTable('sequences').set({ status: 'paused' }).where('id', '=', f.sequenceId).execute()],
    ['the enrollment ended elsewhere', (f: Awaited<ReturnType<typeof fixture>>) => db.updateTable('enrollments').set({ status: 'ended', ended_reason: 'UNSUBSCRIBED' }).where('id', '=', f.enrollmentId).execute()],
    // Monday 03:00 UTC, window weekdays 09:00–17:00 UTC: opens at 09:00.
    ['outside the send window', (f: Awaited<ReturnType<typeof fixture>>) => db.updateTable('sequences').set({ send_window: JSON.stringify({ days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' }), time_zone: 'UTC' }).where('id', '=', f.sequenceId).execute()],
    ['a window that never opens (every allowed day a holiday)', (f: Awaited<ReturnType<typeof fixture>>) => db.updateTable('sequences').set({ send_window: JSON.stringify({ days: [1], start: '09:00', end: '17:00', holidays: Array.from({ length: 60 }, (_, i) => new Date(Date.UTC(2026, 0, 5 + 7 * i)).toISOString().slice(0, 10)) }) }).where('id', '=', f.sequenceId).execute()],
  ])('gives the gate check\'s verdict for %s, and claims and sends nothing', async (_name, arrange) => {
    clockMs = Date.UTC(2026, 0, 5, 3, 0);
    const f = await fixture();
    const input = { ...f.input, nowMs: clockMs };
    await arrange(f);
    const gate = await activities().checkEnrollmentGates(input);
    // Each case is a closed gate (else this test would prove nothing).
    expect(gate.endedReason !== null || gate.end.length > 0 || gate.hold.length > 0 || gate.windowOpensAtMs !== null || gate.windowNeverOpens).toBe(true);
    expect(await activities().runEnrollmentStep(input)).toEqual({ kind: 'gate', gate });
    expect(handedOver).toHaveLength(0);
    expect(await row(f.enrollmentId)).toBeUndefined();
  });

  it('plans and runs a step that is due in one call; one not yet due is only planned', async () => {
    const f = await fixture();
    const second = await addStep(f.sequenceId);
    const startMs = Date.now() - 1_000;
    const first = await activities().planAndRunEnrollmentStep({ enrollmentId: f.enrollmentId, afterStepId: null, baseMs: startMs, nowMs: Date.now() });
    expect(first).toEqual({ step: { stepId: f.stepId, delayMs: 0 }, ran: { kind: 'send', sent: { kind: 'sent', atMs: expect.any(Number) }, next: { stepId: second, delayMs: 86_400_000 } } });
    expect(handedOver).toHaveLength(1);
    // Step two is due a day after step one: planned (as the planner does), not run.
    const atMs = first.ran?.kind === 'send' && first.ran.sent.kind === 'sent' ? first.ran.sent.atMs : NaN;
    expect(await activities().planAndRunEnrollmentStep({ enrollmentId: f.enrollmentId, afterStepId: f.stepId, baseMs: atMs, nowMs: Date.now() })).toEqual({ step: { stepId: second, delayMs: 86_400_000 } });
    expect(handedOver).toHaveLength(1);
    expect(await enrollmentRow(f.enrollmentId)).toEqual({ status: 'active', current_step_id: second, next_send_at: new Date(atMs + 86_400_000), waiting_for: [] });
  });

  it('a due step whose gate is closed is planned on the row as the planner would, and nothing is claimed', async () => {
    const f = await fixture();
    await db.updateTable('sequences').set({ status: 'paused' }).where('id', '=', f.sequenceId).execute();
    await db.updateTable('enrollments').set({ status: 'waiting', waiting_for: ['SEQUENCE_PAUSED'] }).where('id', '=', f.enrollmentId).execute();
    const baseMs = Date.now() - 1_000;
    const result = await activities().planAndRunEnrollmentStep({ enrollmentId: f.enrollmentId, afterStepId: null, baseMs, nowMs: Date.now() });
    expect(result).toEqual({ step: { stepId: f.stepId, delayMs: 0 }, ran: { kind: 'gate', gate: expect.objectContaining({ endedReason: null, hold: ['SEQUENCE_PAUSED'] }) } });
    expect(await enrollmentRow(f.enrollmentId)).toEqual({ status: 'active', current_step_id: f.stepId, next_send_at: new Date(baseMs), waiting_for: [] });
    expect(handedOver).toHaveLength(0);
    expect(await row(f.enrollmentId)).toBeUndefined();
  });

  it('a first step is planned, claimed, sent and confirmed in a few statements (each costs a round trip on both sides)', async () => {
    const f = await fixture();
    let statements = 0;
    const counted = db.withPlugin({ transformQuery: (args) => (statements++, args.node), transformResult: async (args) => args.result });
    const acts = createSequenceActivities({ db: counted, config: testConfig(), mailTransportFor: () => ({ send: async (msg) => (handedOver.push(msg), { providerMessageId: msg.messageId }), close() {} }) });
    const result = await acts.planAndRunEnrollmentStep({ enrollmentId: f.enrollmentId, afterStepId: null, baseMs: Date.now() - 1_000, nowMs: Date.now() });
    expect(result.ran).toMatchObject({ kind: 'send', sent: { kind: 'sent' } });
    expect(handedOver).toHaveLength(1);
    // Contact and enrollment locks, one read of everything else, the outbox row, the sending limits (and
    // the first send of a minute's clean-up), the claim, the confirmation: was 15 with the plan apart.
    expect(statements).toBeLessThanOrEqual(8);
  });
});
