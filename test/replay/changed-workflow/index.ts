/**
 * A deliberately changed enrollment workflow (the negative replay test): it checks the gates before
 * planning the first step, the kind of reordering a careless edit makes. Replaying a committed history
 * against it must fail, which proves the replay test can fail.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../../activities/types';
import type { EnrollmentInput, EnrollmentResult } from '../../../workflows/enrollment/contract';

const { checkEnrollmentGates, planEnrollmentStep } = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds' });

export async function enrollmentWorkflow(input: EnrollmentInput): Promise<EnrollmentResult> {
  await checkEnrollmentGates({ enrollmentId: input.enrollmentId, nowMs: Date.now() });
  await planEnrollmentStep({ enrollmentId: input.enrollmentId, afterStepId: null, baseMs: Date.now() });
  return { status: 'completed' };
}
