/** Starting `import-<importId>` workflows (API services). Ids only: the file stays in PostgreSQL. */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { importContract } from '../workflows/import/contract';
import type { importWorkflow } from '../workflows/import/workflow';
import { temporalUnavailable, withTemporalDeadline } from './deadline';

export async function startImportWorkflow(temporal: Client, taskQueue: string, importId: string): Promise<void> {
  try {
    await withTemporalDeadline(temporal, () =>
      temporal.workflow.start<typeof importWorkflow>(importContract.type, {
        taskQueue,
        workflowId: importContract.id(importId),
        args: [{ importId }],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      }),
    );
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return;
    throw temporalUnavailable(err, 'the upload was discarded; upload the file again.');
  }
}
