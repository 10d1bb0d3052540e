/**
 * Inputs and results of the enrollment activities. They cross into workflow history, so they carry
 * ids, reason codes and epoch milliseconds only: never an address, a name, a subject or a body.
 * `nowMs` is the workflow's clock (deterministic, and virtual under time skipping); activities use
 * max(nowMs, real now) so a late-running activity never acts on a stale instant.
 */
import type { EnrollmentStatus } from '../../domain/sequences/vocabulary';
import type { ReasonCode } from '../../domain/reason-codes';

export interface PlanStepInput {
  enrollmentId: string;
  /** The step just handled; null at the start. */
  afterStepId: string | null;
  /** When the previous step was sent (or the enrollment started): the next delay counts from here. */
  baseMs: number;
}

export type PlannedStep = { stepId: string; delayMs: number } | null;

export interface GateInput {
  enrollmentId: string;
  nowMs: number;
}

export interface GateResult {
  /** Set when the enrollment is no longer live in the database (ended elsewhere): its reason. */
  endedReason: ReasonCode | null;
  /** Failing rules that end the enrollment (consent, suppression, contact status, address, archived…). */
  end: ReasonCode[];
  /** Failing rules that make it wait (sequence paused, mailbox disconnected / sync off). */
  hold: ReasonCode[];
  /** Null when inside the send window now; else the next instant it opens (null window → always open). */
  windowOpensAtMs: number | null;
  /** True when the send window has no allowed time at all (e.g. every allowed day is a holiday). */
  windowNeverOpens: boolean;
}

export interface SendStepInput {
  enrollmentId: string;
  stepId: string;
  nowMs: number;
}

export type SendStepResult =
  /** Handed to the mailbox and confirmed (or confirmed by an earlier attempt). */
  | { kind: 'sent'; atMs: number }
  /** Claimed earlier but never confirmed: not sent again; the sequence moves on. */
  | { kind: 'uncertain'; atMs: number }
  /** The step was removed from the sequence before this enrollment sent it. */
  | { kind: 'skipped'; code: 'STEP_REMOVED'; atMs: number }
  /** Rules that end the enrollment failed at claim time (or the mailbox refused permanently). */
  | { kind: 'blocked'; codes: ReasonCode[] }
  /** Rules that hold the enrollment failed at claim time (changed since the gate check). */
  | { kind: 'hold'; codes: ReasonCode[] }
  /** Not now: a sending limit or an unreachable mailbox; try again at retryAtMs. */
  | { kind: 'deferred'; code: 'MAILBOX_RATE_LIMIT' | 'MAILBOX_DAILY_LIMIT' | 'MAILBOX_UNAVAILABLE' | 'MAILBOX_CREDENTIALS_UNREADABLE'; retryAtMs: number }
  /** The enrollment is no longer live (ended elsewhere, e.g. unsubscribed): nothing was sent. */
  | { kind: 'ended'; reason: ReasonCode };

/**
 * A due step in one call (runEnrollmentStep): the gate check, the claim and the send in one
 * transaction and hand-off, and the next step planned with the confirmation.
 */
export type StepRunResult =
  /** A gate failed (the enrollment ended elsewhere, a rule ends or holds it, outside the send window): nothing was claimed. */
  | { kind: 'gate'; gate: GateResult }
  /**
   * The claim's outcome. `next` is set only when this call sent the step: the step after it, already
   * recorded on the enrollment row as plan-step.ts would (null: none left, the enrollment completes).
   */
  | { kind: 'send'; sent: SendStepResult; next?: PlannedStep };

export interface PlanAndRunInput extends PlanStepInput {
  /** The workflow's clock: the planned step runs now only if it is due by then. */
  nowMs: number;
}

/** The next step planned (as planEnrollmentStep), and run at once (as runEnrollmentStep) when it is already due. */
export interface PlanAndRunResult {
  step: PlannedStep;
  /** Set when the step was due at `nowMs` and run; else the workflow waits for it. */
  ran?: StepRunResult;
}

export interface RecordStateInput {
  enrollmentId: string;
  status: Extract<EnrollmentStatus, 'active' | 'waiting' | 'paused'>;
  waitingFor: ReasonCode[];
  nextSendAtMs: number | null;
}

export interface EndInput {
  enrollmentId: string;
  reason: ReasonCode;
  /** Set when a rule blocked this step: recorded as `email_blocked` with every failing code. */
  blockedStepId?: string;
  codes?: ReasonCode[];
  /** Who ended it, for the activity log; default the enrollment's workflow. */
  actor?: string;
  /** Extra facts for the activity log entry (ids and statuses only). */
  data?: Record<string, unknown>;
}

export interface EndResult {
  /** The reason the database holds (an earlier end, e.g. by unsubscribe, wins). */
  endedReason: ReasonCode;
}

export interface CompleteResult {
  /** `completed`, or `ended` when something ended the enrollment first. */
  status: 'completed' | 'ended';
  endedReason: ReasonCode | null;
}
