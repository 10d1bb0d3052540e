/** Starting `dedup-scan-<scanId>` workflows (API services). Ids only. */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { dedupScanContract } from '../workflows/dedup-scan/contract';
import type { dedupScanWorkflow } from '../workflows/dedup-scan/workflow';
import { temporalUnavailable, withTemporalDeadline } from './deadline';

export async function startDedupScanWorkflow(temporal: Client, taskQueue: string, scanId: string): Promise<void> {
  try {
    await withTemporalDeadline(temporal, () =>
      temporal.workflow.start<typeof dedupScanWorkflow>(dedupScanContract.type, {
        taskQueue,
        workflowId: dedupScanContract.id(scanId),
        args: [{ scanId, trigger: 'api' }],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      }),
    );
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return;
    throw temporalUnavailable(err, 'no scan was started; send the request again.');
  }
}
