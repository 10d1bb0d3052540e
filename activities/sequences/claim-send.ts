/**
 * The claim: one transaction that decides whether a step may go out, and if so takes its outbox row.
 * Locks, in the order of db/lock-order.ts: the contact row (FOR SHARE: an opt-out, which locks the
 * contact to update it, waits for us or we see it), the enrollment row (FOR UPDATE: one attempt per
 * enrollment at a time), the outbox row.
 * Under those locks it re-checks the enrollment is live and every sequence rule, reserves sending
 * capacity, renders the message and marks the row `claimed`. Once committed the message is "handed
 * to the mailbox": a later attempt that finds the row still `claimed` never sends it again.
 */
import { isLiveEnrollment } from '../../domain/sequences/vocabulary';
import { randomUUID } from 'node:crypto';
import { recordActivity } from '../../db/activity-log';
import { lockContactOfEnrollment, lockEnrollment, type Tx } from '../../db/lock-order';
import { rememberPersonalData } from '../scrub/personal-data-registry';
import { nextStep } from '../../db/sequence-steps';
import { reserveSendCapacity } from '../../db/sending-limits';
import { isReasonCode } from '../../domain/reason-codes';
import { classifyCodes, evaluateSequenceRules } from '../../domain/sequences/rules';
import type { MailboxRow } from '../../integrations/mail/mailbox-transports';
import { sendWindowVerdict } from './check-gates';
import { loadClaimFacts, type ClaimFacts } from './claim-facts';
import { workflowActor, type SequenceContext } from './context';
import { plannedSendAt, recordPlannedStep, type PlanRecord } from './plan-step';
import { renderEmail } from './render-email';
import type { GateResult, PlanAndRunInput, PlannedStep, SendStepInput, SendStepResult } from './types';

export interface Claim {
  sendId: string;
  messageId: string;
  enrollmentId: string;
  stepId: string;
  sequenceId: string;
  contactId: string;
  companyId: string | null;
  mailbox: MailboxRow;
  to: string;
  raw: Buffer;
  hasHtml: boolean;
}

export type ClaimOutcome =
  | { kind: 'claimed'; claim: Claim; next?: PlannedStep }
  | { kind: 'done'; result: SendStepResult }
  /** Only with `gates`: a gate failed (ended, rule, hold, send window); nothing was written. */
  | { kind: 'gate'; gate: GateResult };

/** With `plan`: the step it planned (null: none left, or no enrollment) and, when it was due, what running it did. */
export type PlanOutcome = { step: PlannedStep; ran?: ClaimOutcome };

export interface ClaimOptions {
  /**
   * The gate check in the same transaction, before anything else (the enrollment step's path): the
   * enrollment is live, no rule ends or holds it, the send window is open; else a `gate` outcome, as
   * checkEnrollmentGates would have answered, and nothing is written. Also plans the step after this
   * one (`next`, from the same read of the sequence's steps), for the confirmation to record.
   */
  gates?: boolean;
}

const done = (result: SendStepResult): ClaimOutcome => ({ kind: 'done', result });
const gateSays = (gate: Omit<GateResult, 'windowOpensAtMs' | 'windowNeverOpens'> & Partial<GateResult>): ClaimOutcome => ({ kind: 'gate', gate: { windowOpensAtMs: null, windowNeverOpens: false, ...gate } });
const messageIdFor = (sendId: string) => `<send-${sendId}@crm-workflows.local>`;

export async function claimSend(ctx: SequenceContext, input: SendStepInput, atMs: number, opts: ClaimOptions = {}): Promise<ClaimOutcome> {
  return ctx.db.transaction().execute(async (tx): Promise<ClaimOutcome> => {
    const { contact, enrollment, read } = await lockAndRead(ctx, tx, input.enrollmentId);
    // No enrollment: the contact was deleted (its enrollments cascade), there is nobody to send to.
    if (!enrollment) return opts.gates ? gateSays({ endedReason: 'CONTACT_NO_EMAIL', end: [], hold: [] }) : done({ kind: 'ended', reason: 'CONTACT_NO_EMAIL' });
    return decide(ctx, tx, contact, enrollment, read, input.stepId, atMs, opts);
  });
}

/**
 * The next step planned (plan-step.ts's rule, from the claim's own read of the steps) and, when it is
 * due at `input.nowMs`, gated and claimed as claimSend with `gates` does, in the same transaction: a
 * first step without delay costs one transaction instead of a plan and a claim. The plan is recorded
 * on the enrollment row as planEnrollmentStep records it (by the claim's own statement when it claims).
 */
export async function planAndClaim(ctx: SequenceContext, input: PlanAndRunInput, atMs: number): Promise<PlanOutcome> {
  return ctx.db.transaction().execute(async (tx): Promise<PlanOutcome> => {
    const { contact, enrollment, read } = await lockAndRead(ctx, tx, input.enrollmentId);
    if (!enrollment) return { step: null };
    const handled = new Set(read.steps.filter((s) => s.handled).map((s) => s.id));
    if (input.afterStepId) handled.add(input.afterStepId);
    const planned = nextStep(read.steps.filter((s) => !s.removed), handled);
    if (!planned) return { step: null };
    const step = { stepId: planned.id, delayMs: planned.delayMs };
    const plan = { step, baseMs: input.baseMs, nowMs: ctx.now() };
    if (input.baseMs + planned.delayMs > input.nowMs) {
      await recordPlannedStep(tx, input.enrollmentId, plan);
      return { step };
    }
    const ran = await decide(ctx, tx, contact, enrollment, read, planned.id, atMs, { gates: true, plan });
    // A claim records the plan with itself; any other outcome leaves the row as the planner would.
    if (ran.kind !== 'claimed') await recordPlannedStep(tx, input.enrollmentId, plan);
    return { step, ran };
  });
}

/**
 * The locks and the read every claim starts with. Contact first, then enrollment: the same order as
 * an opt-out (contact FOR UPDATE, then its enrollments), so the two serialise instead of deadlocking.
 * Then the rules' facts, the mailbox, the steps and the erasure check, in one statement under the locks.
 */
async function lockAndRead(ctx: SequenceContext, tx: Tx, enrollmentId: string) {
  const contact = await lockContactOfEnrollment(tx, enrollmentId, 'share');
  rememberPersonalData(contact?.email, contact?.first_name, contact?.last_name);
  const enrollment = await lockEnrollment(tx, enrollmentId);
  if (!enrollment) return { contact, enrollment: undefined, read: undefined };
  return { contact, enrollment, read: await loadClaimFacts(tx, ctx.erasureSecret, contact, enrollment) };
}

type LockedContact = Awaited<ReturnType<typeof lockContactOfEnrollment>>;
type LockedEnrollment = NonNullable<Awaited<ReturnType<typeof lockEnrollment>>>;

/** The claim's decision once the locks are held and its facts read; `plan`: the plan the claim records with itself. */
async function decide(ctx: SequenceContext, tx: Tx, contact: LockedContact, enrollment: LockedEnrollment, read: ClaimFacts, stepId: string, atMs: number, opts: ClaimOptions & { plan?: PlanRecord }): Promise<ClaimOutcome> {
  const enrollmentId = enrollment.id;
  if (!isLiveEnrollment(enrollment.status)) {
    const reason = enrollment.ended_reason ?? 'UNENROLLED';
    return opts.gates ? gateSays({ endedReason: reason, end: [], hold: [] }) : done({ kind: 'ended', reason });
  }
  const { end, hold } = classifyCodes(evaluateSequenceRules(read.facts, 'send'), 'send');
  const { mailbox } = read;
  if (opts.gates) {
    // Ends, then holds, then the window: the order of the gate check (check-gates.ts).
    if (end.length > 0 || hold.length > 0) return gateSays({ endedReason: null, end, hold });
    const window = sendWindowVerdict(read.sendWindow, contact?.time_zone ?? null, read.sequenceTimeZone, atMs);
    if (window.windowNeverOpens || window.windowOpensAtMs !== null) return gateSays({ endedReason: null, end, hold, ...window });
  }

  const row = await tx.selectFrom('email_sends').selectAll().where('enrollment_id', '=', enrollmentId).where('step_id', '=', stepId).forUpdate().executeTakeFirst();
  switch (row?.status) {
    case 'sent':
      return done({ kind: 'sent', atMs: (row.sent_at ?? row.created_at).getTime() });
    case 'uncertain':
      return done({ kind: 'uncertain', atMs: (row.claimed_at ?? row.created_at).getTime() });
    case 'blocked':
      return done({ kind: 'blocked', codes: row.reason_code && isReasonCode(row.reason_code) ? [row.reason_code] : [] });
    case 'skipped':
      return done({ kind: 'skipped', code: 'STEP_REMOVED', atMs: row.created_at.getTime() });
    case 'claimed': {
      // An earlier attempt handed it over and never confirmed (crash, timeout): never send it twice.
      await tx.updateTable('email_sends').set({ status: 'uncertain', reason_code: 'SEND_UNCERTAIN' }).where('id', '=', row.id).execute();
      await recordActivity(tx, {
        contactId: enrollment.contact_id,
        type: 'email_uncertain',
        reasonCode: 'SEND_UNCERTAIN',
        data: { enrollmentId, sequenceId: enrollment.sequence_id, stepId, sendId: row.id },
        actor: workflowActor(enrollmentId),
        dedupeKey: `email_uncertain:${row.id}`,
      });
      return done({ kind: 'uncertain', atMs: (row.claimed_at ?? row.created_at).getTime() });
    }
    case 'pending':
    case undefined:
      break;
  }

  const step = read.steps.find((s) => s.id === stepId);
  if (!step || step.removed) return done({ kind: 'skipped', code: 'STEP_REMOVED', atMs });

  // From the moment an erasure request is accepted nothing goes to the subject: acceptance writes the
  // request under this contact's lock FOR UPDATE, so it either committed before this check (read with
  // the facts, under the lock) or waits for it.
  const erased = contact !== undefined && read.erased;

  const sendId = row?.id ?? randomUUID();
  const messageId = row?.message_id ?? messageIdFor(sendId);

  if (erased || end.length > 0 || !contact?.email) {
    const codes = erased ? (['ERASED'] as const) : end.length > 0 ? end : (['CONTACT_NO_EMAIL'] as const);
    await tx
      .insertInto('email_sends')
      .values({ id: sendId, enrollment_id: enrollmentId, step_id: stepId, mailbox_id: mailbox.id, status: 'blocked', message_id: messageId, reason_code: codes[0], links: '[]' })
      .onConflict((oc) => oc.columns(['enrollment_id', 'step_id']).doUpdateSet({ status: 'blocked', reason_code: codes[0] }))
      .execute();
    return done({ kind: 'blocked', codes: [...codes] });
  }
  if (hold.length > 0) return done({ kind: 'hold', codes: hold });

  const reservation = await reserveSendCapacity(tx, mailbox, atMs);
  if (!reservation.ok) {
    await recordActivity(tx, {
      contactId: enrollment.contact_id,
      type: 'email_deferred',
      reasonCode: reservation.code,
      data: { enrollmentId, sequenceId: enrollment.sequence_id, stepId, retryAt: new Date(reservation.retryAtMs).toISOString() },
      actor: workflowActor(enrollmentId),
      dedupeKey: `email_deferred:${enrollmentId}:${stepId}:${reservation.code}:${reservation.windowStartMs}`,
    });
    return done({ kind: 'deferred', code: reservation.code, retryAtMs: reservation.retryAtMs });
  }

  const rendered = await renderEmail({
    sendId,
    messageId,
    step,
    to: contact.email,
    values: {
      contact: { firstName: contact.first_name, lastName: contact.last_name, email: contact.email },
      company: { name: read.companyName ?? undefined },
      sender: { name: mailbox.display_name, email: mailbox.address },
    },
    from: { address: mailbox.address, ...(mailbox.display_name ? { name: mailbox.display_name } : {}) },
    baseUrl: ctx.baseUrl,
    tokens: ctx.tokens(),
    date: new Date(atMs),
  });

  const claimed = { status: 'claimed' as const, claimed_at: new Date(atMs), mailbox_id: mailbox.id, has_html: rendered.hasHtml, links: JSON.stringify(rendered.links), reason_code: null };
  // One statement: the enrollment shows this step in progress, and the outbox row is claimed.
  // With a plan (planAndClaim), the row also gets the step's due time, as planEnrollmentStep writes it.
  const inProgress = { status: 'active' as const, waiting_for: [], current_step_id: stepId, updated_at: new Date(atMs), ...(opts.plan && { next_send_at: plannedSendAt(opts.plan) }) };
  await tx
    .with('enrollment', (q) => q.updateTable('enrollments').set(inProgress).where('id', '=', enrollmentId))
    .insertInto('email_sends')
    .values({ id: sendId, enrollment_id: enrollmentId, step_id: stepId, message_id: messageId, ...claimed })
    .onConflict((oc) => oc.columns(['enrollment_id', 'step_id']).doUpdateSet(claimed))
    .execute();

  // With `gates`, the step after this one, planned as plan-step.ts would once this one is handled.
  const live = read.steps.filter((s) => !s.removed);
  const next = opts.gates ? nextStep(live, new Set([stepId, ...read.steps.filter((s) => s.handled).map((s) => s.id)])) : undefined;
  return {
    kind: 'claimed',
    claim: {
      sendId,
      messageId: rendered.messageId,
      enrollmentId,
      stepId,
      sequenceId: enrollment.sequence_id,
      contactId: enrollment.contact_id,
      companyId: contact.company_id,
      mailbox,
      to: contact.email,
      raw: rendered.raw,
      hasHtml: rendered.hasHtml,
    },
    ...(next !== undefined && { next: next && { stepId: next.id, delayMs: next.delayMs } }),
  };
}
