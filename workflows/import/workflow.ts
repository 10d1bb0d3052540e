/**
 * Workflow `import-<importId>`: prepare (mark in-file duplicates) → apply the staged rows in batches,
 * each batch one transaction → drop the staged copy. The rows live in PostgreSQL; this code passes the
 * import id and counts only.
 */
import { ApplicationFailure, CancellationScope, continueAsNew, isCancellation, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities/types';
import type { ImportInput, ImportResult } from './contract';

const retry = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' } as const;
/** Marking duplicates of a 1,000,000-row file takes seconds; dropping it too. */
const local = proxyActivities<Activities>({ startToCloseTimeout: '10m', heartbeatTimeout: '30s', retry });
/** A killed worker's batch call is noticed within the heartbeat timeout and resumed at the next batch. */
const batches = proxyActivities<Activities>({ startToCloseTimeout: '10m', heartbeatTimeout: '15s', retry });

export async function importWorkflow(input: ImportInput): Promise<ImportResult> {
  try {
    const prepared = await local.importPrepare(input);
    if (prepared === 'missing') throw ApplicationFailure.nonRetryable(`Import ${input.importId} does not exist.`, 'NOT_FOUND');
    for (;;) {
      const outcome = await batches.importApplyBatches(input);
      if (outcome.state !== 'more') break;
      if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof importWorkflow>(input);
    }
    return await local.importFinish(input);
  } catch (err) {
    if (err instanceof ApplicationFailure && err.type === 'NOT_FOUND') throw err;
    const message = isCancellation(err) ? 'The import workflow was cancelled in Temporal.' : 'The import failed; rows already applied stay applied. Upload the file again to import the rest.';
    await CancellationScope.nonCancellable(() => local.importFail({ ...input, code: isCancellation(err) ? 'WORKFLOW_STOPPED' : 'IMPORT_FAILED', message }));
    throw err;
  }
}
