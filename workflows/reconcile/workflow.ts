import { condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities/types';
import { reconcileContract, type ReconcileInput, type ReconcileResult, type ReconcilerInput, type ReconcilerStatus } from './contract';

/** A pass should end well before the next one is due. */
const { reconcileStoppedWorkflows } = proxyActivities<Activities>({ startToCloseTimeout: '5m', heartbeatTimeout: '1m', retry: { maximumAttempts: 3 } });

/**
 * `reconcile-stopped-workflows`: records enrollments and promotions whose workflow an operator stopped
 * in Temporal as ended (WORKFLOW_STOPPED), every `everyMs`, for as long as the namespace lives. One
 * entry in the UI; its history shows each pass. Continues as new when the server suggests it.
 */
export async function stoppedWorkflowsReconcilerWorkflow(input: ReconcilerInput): Promise<void> {
  let everyMs: number | null = input.everyMs;
  let reconfigured = false;
  const status: ReconcilerStatus = { everyMs, passes: 0 };
  setHandler(reconcileContract.signals.configure, ({ everyMs: next }) => {
    everyMs = next;
    status.everyMs = next;
    reconfigured = true;
  });
  setHandler(reconcileContract.queries.status, () => ({ ...status }));

  for (;;) {
    if (everyMs === null) return;
    const result = await reconcileStoppedWorkflows({ lookbackMs: input.lookbackMs });
    status.passes++;
    status.lastPass = { atMs: Date.now(), examined: result.examined, enrollmentsEnded: result.enrollmentsEnded.length, promotionsFailed: result.promotionsFailed.length };
    if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof stoppedWorkflowsReconcilerWorkflow>({ ...input, everyMs });
    reconfigured = false;
    // Sleeps durably until the next pass; a configure signal wakes it to apply the new interval.
    await condition(() => reconfigured, everyMs);
  }
}

/** The pre-loop one-shot run (see reconcileContract.legacyOneShotType): kept unchanged for runs already in flight. */
export async function reconcileStoppedWorkflowsWorkflow(input: ReconcileInput): Promise<ReconcileResult> {
  return reconcileStoppedWorkflows({ lookbackMs: input.lookbackMs });
}
