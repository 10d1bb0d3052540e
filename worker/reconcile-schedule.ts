import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptionsStartWorkflowAction, type ScheduleSpec } from '@temporalio/client';
import { reconcileContract } from '../workflows/reconcile/contract';
import type { reconcileStoppedWorkflowsWorkflow } from '../workflows/reconcile/workflow';

/** Each run looks back a day: a worker down for hours still catches up; only live rows ever change. */
export const RECONCILE_LOOKBACK_MS = 24 * 3_600_000;

/**
 * Creates the `reconcile-stopped-workflows` Schedule (visible under Schedules in the Temporal UI), or
 * brings an existing one in step with this worker's interval and task queue. Idempotent: every worker
 * calls it at startup.
 */
export async function ensureReconcileSchedule(client: Client, opts: { taskQueue: string; everyMs: number }): Promise<void> {
  const spec: ScheduleSpec = { intervals: [{ every: opts.everyMs }] };
  const action: ScheduleOptionsStartWorkflowAction<typeof reconcileStoppedWorkflowsWorkflow> = {
    type: 'startWorkflow',
    workflowType: reconcileContract.type,
    workflowId: reconcileContract.id(),
    taskQueue: opts.taskQueue,
    args: [{ lookbackMs: RECONCILE_LOOKBACK_MS }],
  };
  try {
    await client.schedule.create({
      scheduleId: reconcileContract.scheduleId,
      spec,
      action,
      // A slow run is not doubled; missed ticks (server down) are not replayed one by one.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1m' },
    });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(reconcileContract.scheduleId).update((previous) => ({ ...previous, spec, action }));
  }
}
