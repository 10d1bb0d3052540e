import { LIVE_ENROLLMENT_STATUSES } from '../../domain/sequences/vocabulary';
import { HANDLED_SEND_STATUSES, loadLiveSteps, nextStep } from '../../db/sequence-steps';
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
  await db
    .updateTable('enrollments')
    .set({ status: 'active', waiting_for: [], current_step_id: step.id, next_send_at: new Date(input.baseMs + step.delayMs), updated_at: new Date(now()) })
    .where('id', '=', input.enrollmentId)
    .where('status', 'in', LIVE_ENROLLMENT_STATUSES)
    .execute();
  return { stepId: step.id, delayMs: step.delayMs };
}
