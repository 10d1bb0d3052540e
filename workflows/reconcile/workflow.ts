import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities/types';
import type { ReconcileInput, ReconcileResult } from './contract';

/** A run should end well before the next one is due; the schedule skips a run while one is still going. */
const { reconcileStoppedWorkflows } = proxyActivities<Activities>({ startToCloseTimeout: '5m', heartbeatTimeout: '1m', retry: { maximumAttempts: 3 } });

/**
 * Started by the `reconcile-stopped-workflows` Schedule: records enrollments and promotions whose
 * workflow an operator stopped in Temporal as ended (WORKFLOW_STOPPED). Short-lived; one per tick.
 */
export async function reconcileStoppedWorkflowsWorkflow(input: ReconcileInput): Promise<ReconcileResult> {
  return reconcileStoppedWorkflows({ lookbackMs: input.lookbackMs });
}
