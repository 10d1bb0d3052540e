/**
 * Workflow `merge-<primaryId>`: one transaction moves everything to the primary (activity
 * `mergeApply`, idempotent), then the workflows of enrollments it ended are signalled. Ids only.
 */
import { ApplicationFailure, CancellationScope, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities/types';
import type { MergeInput, MergeResult } from './contract';

const steps = proxyActivities<Activities>({ startToCloseTimeout: '5m', retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 10 } });

export async function mergeContactsWorkflow(input: MergeInput): Promise<MergeResult> {
  try {
    const applied = await steps.mergeApply(input);
    if (applied.status === 'completed' && applied.endedEnrollmentIds.length > 0) {
      await steps.mergeSignalEnded({ mergeId: input.mergeId, enrollmentIds: applied.endedEnrollmentIds });
    }
    return { mergeId: input.mergeId, status: applied.status, ...(applied.code !== undefined && { code: applied.code }), endedEnrollments: applied.endedEnrollmentIds.length };
  } catch (err) {
    const code = isCancellation(err) ? 'WORKFLOW_STOPPED' : 'MERGE_FAILED';
    await CancellationScope.nonCancellable(() => steps.mergeFail({ mergeId: input.mergeId, code, message: 'The merge failed before it committed; nothing was moved. Request it again.' }));
    if (isCancellation(err)) throw err;
    throw ApplicationFailure.nonRetryable(`Merge ${input.mergeId} failed (${code}).`, code);
  }
}
