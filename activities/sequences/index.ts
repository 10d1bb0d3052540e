import type { ActivityDeps } from '../deps';
import { checkEnrollmentGates } from './check-gates';
import { createSequenceContext } from './context';
import { completeEnrollment, endEnrollment, recordEnrollmentState } from './enrollment-state';
import { planEnrollmentStep } from './plan-step';
import { sendEnrollmentStep } from './send-step';
import type { EndInput, GateInput, PlanStepInput, RecordStateInput, SendStepInput } from './types';

/** The enrollment workflow's activities. Each is idempotent: a retry repeats no side effect. */
export function createSequenceActivities(deps: ActivityDeps) {
  const ctx = createSequenceContext(deps);
  return {
    planEnrollmentStep: (input: PlanStepInput) => planEnrollmentStep(ctx, input),
    checkEnrollmentGates: (input: GateInput) => checkEnrollmentGates(ctx, input),
    sendEnrollmentStep: (input: SendStepInput) => sendEnrollmentStep(ctx, input),
    recordEnrollmentState: (input: RecordStateInput) => recordEnrollmentState(ctx, input),
    endEnrollment: (input: EndInput) => endEnrollment(ctx, input),
    completeEnrollment: (input: { enrollmentId: string }) => completeEnrollment(ctx, input),
  };
}
