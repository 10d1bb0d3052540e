/**
 * Sends one step of one enrollment: claim (claim-send.ts), hand to the mailbox, confirm.
 * Never twice: the only path to transport.send goes through a fresh claim, and any later attempt
 * finds the row claimed/sent/uncertain and does not send. Failures after the hand-off are judged by
 * transport-outcome.ts; when it cannot prove nothing went out, the step becomes `uncertain`.
 * Non-retryable refusals block the step with MAILBOX_SEND_FAILED and end the enrollment: the same
 * refusal would repeat for every later step, and one visible end beats a string of failed steps.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ReasonCode } from '../../domain/reason-codes';
import { activityRow, recordActivity } from '../../db/activity-log';
import type { Db } from '../../db/database';
import { SecretBoxError } from '../../db/secret-box';
import { ConfigError } from '../../domain/config';
import { heartbeatWhile } from '../heartbeat';
import { claimSend, planAndClaim, type Claim, type ClaimOutcome } from './claim-send';
import { workflowActor, type SequenceContext } from './context';
import type { MailTransport } from '../../integrations/mail/transport';
import { classifyTransportError } from './transport-outcome';
import { LIVE_ENROLLMENT_STATUSES } from '../../domain/sequences/vocabulary';
import type { PlanAndRunInput, PlanAndRunResult, PlannedStep, SendStepInput, SendStepResult, StepRunResult } from './types';

/** Without a Retry-After hint, an unreachable mailbox is retried after this long. */
const UNAVAILABLE_RETRY_MS = 60_000;
/** Unreadable credentials need an operator (SECRETS_KEY); checking again every few minutes is enough. */
const CREDENTIALS_RETRY_MS = 5 * 60_000;

export async function sendEnrollmentStep(ctx: SequenceContext, input: SendStepInput): Promise<SendStepResult> {
  // A killed worker is noticed by its missing heartbeat in seconds; the retry finds the row claimed (uncertain).
  return heartbeatWhile(async () => {
    const atMs = Math.max(input.nowMs, ctx.now());
    const outcome = await claimSend(ctx, input, atMs);
    if (outcome.kind === 'done') return outcome.result;
    // Without `gates` the claim answers every gate itself (ended, blocked, hold): never a gate outcome.
    if (outcome.kind === 'gate') throw new Error('claimSend answered a gate outcome without gates');
    return deliver(ctx, outcome.claim, atMs);
  });
}

/**
 * A due step in one call: the gate check inside the claim's transaction (claimSend with `gates`), the
 * send, and the next step planned in the confirmation's statement. Same guarantees as
 * sendEnrollmentStep (it is the same claim): a re-run finds the row claimed or sent.
 */
export async function runEnrollmentStep(ctx: SequenceContext, input: SendStepInput): Promise<StepRunResult> {
  return heartbeatWhile(async () => {
    const atMs = Math.max(input.nowMs, ctx.now());
    return completeRun(ctx, await claimSend(ctx, input, atMs, { gates: true }), atMs);
  });
}

/**
 * The next step planned and, when it is already due (a first step without delay, or a step whose
 * delay passed meanwhile), run in the same call and the same claim transaction (planAndClaim): one
 * local activity where the workflow made two, and one transaction where it made a plan and a claim.
 */
export async function planAndRunEnrollmentStep(ctx: SequenceContext, input: PlanAndRunInput): Promise<PlanAndRunResult> {
  return heartbeatWhile(async () => {
    const atMs = Math.max(input.nowMs, ctx.now());
    const { step, ran } = await planAndClaim(ctx, input, atMs);
    return ran === undefined ? { step } : { step, ran: await completeRun(ctx, ran, atMs) };
  });
}

/** A gated claim's outcome as the workflow sees it: the gate's verdict, what an earlier attempt did, or the send of what it claimed. */
async function completeRun(ctx: SequenceContext, outcome: ClaimOutcome, atMs: number): Promise<StepRunResult> {
  if (outcome.kind === 'gate') return { kind: 'gate', gate: outcome.gate };
  if (outcome.kind === 'done') return { kind: 'send', sent: outcome.result };
  const sent = await deliver(ctx, outcome.claim, atMs, outcome.next);
  return sent.kind === 'sent' && outcome.next !== undefined ? { kind: 'send', sent, next: outcome.next } : { kind: 'send', sent };
}

async function deliver(ctx: SequenceContext, claim: Claim, atMs: number, next?: PlannedStep): Promise<SendStepResult> {
  let transport: MailTransport;
  try {
    transport = ctx.transportFor(claim.mailbox);
  } catch (err) {
    // The worker's key cannot open the credentials: a worker setting, not the mailbox's fault. Nothing went out.
    if (err instanceof SecretBoxError || err instanceof ConfigError) return releaseAndDefer(ctx, claim, 'MAILBOX_CREDENTIALS_UNREADABLE', atMs + CREDENTIALS_RETRY_MS, err);
    // The mailbox's settings cannot make a transport: refused before anything was handed over.
    await settle(ctx.db, claim, 'blocked', 'MAILBOX_SEND_FAILED', { transportCode: errorCode(err) });
    return { kind: 'blocked', codes: ['MAILBOX_SEND_FAILED'] };
  }
  try {
    await transport.send({ from: claim.mailbox.address, to: claim.to, raw: claim.raw, messageId: claim.messageId });
  } catch (err) {
    const verdict = classifyTransportError(err);
    if (verdict === 'rejected') {
      await settle(ctx.db, claim, 'blocked', 'MAILBOX_SEND_FAILED', { transportCode: errorCode(err) });
      return { kind: 'blocked', codes: ['MAILBOX_SEND_FAILED'] };
    }
    if (verdict === 'not_sent') return releaseAndDefer(ctx, claim, 'MAILBOX_UNAVAILABLE', atMs + Math.max(UNAVAILABLE_RETRY_MS, retryAfter(err)), err);
    await settle(ctx.db, claim, 'uncertain', 'SEND_UNCERTAIN', { transportCode: errorCode(err) });
    return { kind: 'uncertain', atMs };
  }
  await confirmSent(ctx.db, claim, atMs, next);
  return { kind: 'sent', atMs };
}

/** Provably not handed over: release the claim so a later attempt may send it, and say why it waits. */
async function releaseAndDefer(ctx: SequenceContext, claim: Claim, code: 'MAILBOX_UNAVAILABLE' | 'MAILBOX_CREDENTIALS_UNREADABLE', retryAtMs: number, err: unknown): Promise<SendStepResult> {
  await ctx.db.updateTable('email_sends').set({ status: 'pending', claimed_at: null }).where('id', '=', claim.sendId).where('status', '=', 'claimed').execute();
  await recordActivity(ctx.db, {
    contactId: claim.contactId,
    companyId: claim.companyId,
    type: 'email_deferred',
    reasonCode: code,
    data: { ...ids(claim), transportCode: errorCode(err), retryAt: new Date(retryAtMs).toISOString() },
    actor: workflowActor(claim.enrollmentId),
  });
  return { kind: 'deferred', code, retryAtMs };
}

/**
 * Marks the row sent, and with `next` records the next step on the enrollment as plan-step.ts does
 * (same statement). A few quick retries: if the database stays unreachable the activity fails, and
 * its retry finds the row `claimed` and reports it `uncertain` (safe, never a second send).
 */
async function confirmSent(db: Db, claim: Claim, atMs: number, next?: PlannedStep): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      // One statement (atomic, one round trip): the row becomes `sent` and the log entry is appended.
      await db
        // `uncertain` too: a slow attempt that finally succeeds corrects what a retry assumed.
        .with('confirmed', (q) => q.updateTable('email_sends').set({ status: 'sent', sent_at: new Date(atMs), reason_code: null }).where('id', '=', claim.sendId).where('status', 'in', ['claimed', 'uncertain']).returning('id'))
        .with('planned', (q) =>
          q
            .updateTable('enrollments')
            .set(next ? { status: 'active', waiting_for: [], current_step_id: next.stepId, next_send_at: new Date(atMs + next.delayMs), updated_at: new Date(atMs) } : { updated_at: new Date(atMs) })
            // Without a next step nothing is planned (the workflow completes the enrollment).
            .where('id', '=', next ? claim.enrollmentId : null)
            .where('status', 'in', LIVE_ENROLLMENT_STATUSES)
            .returning('id'),
        )
        .insertInto('activities')
        .values(
          activityRow({
            contactId: claim.contactId,
            companyId: claim.companyId,
            type: 'email_sent',
            // Opens can only be tracked with the HTML pixel.
            reasonCode: claim.hasHtml ? null : 'OPEN_TRACKING_UNAVAILABLE_PLAIN_TEXT',
            data: { ...ids(claim), openTracking: claim.hasHtml },
            actor: workflowActor(claim.enrollmentId),
            dedupeKey: `email_sent:${claim.sendId}`,
          }),
        )
        .onConflict((oc) => oc.column('dedupe_key').doNothing())
        .execute();
      return;
    } catch (err) {
      if (attempt >= 2) throw err;
      await sleep(250 * 2 ** attempt);
    }
  }
}

async function settle(db: Db, claim: Claim, status: 'blocked' | 'uncertain', code: ReasonCode, data: Record<string, unknown>): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx.updateTable('email_sends').set({ status, reason_code: code }).where('id', '=', claim.sendId).where('status', '=', 'claimed').execute();
    await recordActivity(tx, {
      contactId: claim.contactId,
      companyId: claim.companyId,
      type: status === 'blocked' ? 'email_blocked' : 'email_uncertain',
      reasonCode: code,
      data: { ...ids(claim), ...data },
      actor: workflowActor(claim.enrollmentId),
      // Same key as the workflow's end of the enrollment, so the block is logged once.
      dedupeKey: status === 'blocked' ? `email_blocked:${claim.enrollmentId}:${claim.stepId}` : `email_uncertain:${claim.sendId}`,
    });
  });
}

const ids = (c: Claim) => ({ enrollmentId: c.enrollmentId, sequenceId: c.sequenceId, stepId: c.stepId, sendId: c.sendId, messageId: c.messageId });

/** Provider error codes only (e.g. EAUTH, ErrorAccessDenied): messages can quote the recipient address. */
function errorCode(err: unknown): string {
  const e = err as { code?: unknown; status?: unknown; name?: unknown };
  return [typeof e.name === 'string' ? e.name : 'Error', typeof e.code === 'string' ? e.code : undefined, typeof e.status === 'number' ? String(e.status) : undefined].filter(Boolean).join(':');
}

function retryAfter(err: unknown): number {
  const ms = (err as { retryAfterMs?: unknown }).retryAfterMs;
  return typeof ms === 'number' && Number.isFinite(ms) ? ms : 0;
}
