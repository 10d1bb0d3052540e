import type { ActivityDeps } from '../deps';
import { checkEnrollmentGates } from './check-gates';
import { createSequenceContext } from './context';
import { completeEnrollment, endEnrollment, recordEnrollmentState } from './enrollment-state';
import { planEnrollmentStep } from './plan-step';
import { planAndRunEnrollmentStep, runEnrollmentStep, sendEnrollmentStep } from './send-step';
import { countGate, countSend, countStepRun } from './metrics';
import type { EndInput, GateInput, PlanAndRunInput, PlanStepInput, RecordStateInput, SendStepInput } from './types';

const counted = <T>(result: T, count: (r: T) => void): T => {
  count(result);
  return result;
};

/** The enrollment workflow's activities. Each is idempotent: a retry repeats no side effect. */
export function createSequenceActivities(deps: ActivityDeps) {
  const ctx = createSequenceContext(deps);
  return {
    planEnrollmentStep: (input: PlanStepInput) => planEnrollmentStep(ctx, input),
    checkEnrollmentGates: async (input: GateInput) => counted(await checkEnrollmentGates(ctx, input), (r) => countGate(deps.metrics, r)),
    sendEnrollmentStep: async (input: SendStepInput) => counted(await sendEnrollmentStep(ctx, input), (r) => countSend(deps.metrics, r)),
    /** Gate check, claim, send and the next step's plan in one call (the workflow's patch `enrollment-step-in-one-call`). */
    runEnrollmentStep: async (input: SendStepInput) => counted(await runEnrollmentStep(ctx, input), (r) => countStepRun(deps.metrics, r)),
    /** The next step's plan, and its run when already due (same patch). */
    planAndRunEnrollmentStep: async (input: PlanAndRunInput) => counted(await planAndRunEnrollmentStep(ctx, input), (r) => r.ran && countStepRun(deps.metrics, r.ran)),
    recordEnrollmentState: (input: RecordStateInput) => recordEnrollmentState(ctx, input),
    endEnrollment: (input: EndInput) => endEnrollment(ctx, input),
    completeEnrollment: (input: { enrollmentId: string }) => completeEnrollment(ctx, input),
  };
}
