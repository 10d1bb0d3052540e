/** Starting `merge-<primaryId>` workflows (API services). Ids only. */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { mergeContract } from '../workflows/merge/contract';
import type { mergeContactsWorkflow } from '../workflows/merge/workflow';
import { temporalUnavailable, withTemporalDeadline } from './deadline';

/** False when a merge of this primary is already running (the caller answers 409). */
export async function startMergeWorkflow(temporal: Client, taskQueue: string, input: { mergeId: string; primaryId: string }): Promise<boolean> {
  try {
    await withTemporalDeadline(temporal, () =>
      temporal.workflow.start<typeof mergeContactsWorkflow>(mergeContract.type, {
        taskQueue,
        workflowId: mergeContract.id(input.primaryId),
        args: [input],
        typedSearchAttributes: [{ key: mergeContract.searchAttributes.ContactId, value: input.primaryId }],
        // A primary can be merged again later; never two merges of it at once.
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        workflowIdConflictPolicy: 'FAIL',
      }),
    );
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw temporalUnavailable(err, 'nothing was merged; send the request again.');
  }
}
