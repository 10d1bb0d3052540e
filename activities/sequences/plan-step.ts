import { LIVE_ENROLLMENT_STATUSES } from '../../domain/sequences/vocabulary';
import { HANDLED_SEND_STATUSES, loadLiveSteps, nextStep } from '../../db/sequence-steps';
import type { Db } from '../../db/database';
import type { SequenceContext } from './context';
import type { PlanStepInput, PlannedStep } from './types';

/**
 * The enrollment's next step, read from the database each time so edits of a live sequence apply
 * to every step not yet reached (rule in db/sequence-steps.ts). Records it as the current step with
 * its due time (status active, nothing awaited: the workflow publishes holds as it meets them).
 * Returns ids and a delay only.
 */
export async function planEnrollmentStep({ db, now }: Pick<SequenceContext, 'db' | 'now'>, input: PlanStepInput): Promise<PlannedStep> {
  // The enrollment and the steps it has handled, in one round trip.
  const enrollment = await db
    .selectFrom('enrollments as e')
    .select('e.sequence_id')
    .select((eb) => eb.fn<string[]>('array', [eb.selectFrom('email_sends as s').select('s.step_id').whereRef('s.enrollment_id', '=', 'e.id').where('s.status', 'in', HANDLED_SEND_STATUSES)]).as('handled'))
    .where('e.id', '=', input.enrollmentId)
    .executeTakeFirst();
  if (!enrollment) return null;
  const live = await loadLiveSteps(db, enrollment.sequence_id);
  const handled = new Set(enrollment.handled);
  if (input.afterStepId) handled.add(input.afterStepId);
  const step = nextStep(live, handled);
  if (!step) return null;
  const planned = { stepId: step.id, delayMs: step.delayMs };
  await recordPlannedStep(db, input.enrollmentId, { step: planned, baseMs: input.baseMs, nowMs: now() });
  return planned;
}

/** A planned step as the enrollment row records it: the step, due `baseMs` + its delay; written at `nowMs`. */
export interface PlanRecord {
  step: NonNullable<PlannedStep>;
  baseMs: number;
  nowMs: number;
}

export const plannedSendAt = (plan: PlanRecord) => new Date(plan.baseMs + plan.step.delayMs);

/** Records the plan on a live enrollment (an ended one keeps its state). The claim records it with itself when it claims (claim-send.ts). */
export async function recordPlannedStep(db: Db, enrollmentId: string, plan: PlanRecord): Promise<void> {
  await db
    .updateTable('enrollments')
    .set({ status: 'active', waiting_for: [], current_step_id: plan.step.stepId, next_send_at: plannedSendAt(plan), updated_at: new Date(plan.nowMs) })
    .where('id', '=', enrollmentId)
    .where('status', 'in', LIVE_ENROLLMENT_STATUSES)
    .execute();
}
