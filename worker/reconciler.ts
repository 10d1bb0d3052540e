import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import { reconcileContract } from '../workflows/reconcile/contract';
import type { stoppedWorkflowsReconcilerWorkflow } from '../workflows/reconcile/workflow';

/** Each pass looks back a day: a worker down for hours still catches up; only live rows ever change. */
export const RECONCILE_LOOKBACK_MS = 24 * 3_600_000;

/**
 * Starts the `reconcile-stopped-workflows` loop, or re-times the one already running (signal-with-start:
 * idempotent, every worker calls it at startup). `everyMs: null` (RECONCILE_EVERY=off): this worker
 * neither starts nor re-times it (to stop a running loop, signal `configureReconciler` with
 * `{ "everyMs": null }` from the Temporal UI). The Schedule an older version kept is deleted.
 */
export async function ensureReconciler(client: Client, opts: { taskQueue: string; everyMs: number | null }): Promise<void> {
  await client.schedule
    .getHandle(reconcileContract.legacyScheduleId)
    .delete()
    .catch((err: unknown) => {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
    });
  if (opts.everyMs === null) return;
  const { configure } = reconcileContract.signals;
  await client.workflow.signalWithStart<typeof stoppedWorkflowsReconcilerWorkflow, [{ everyMs: number | null }]>(reconcileContract.type, {
    workflowId: reconcileContract.id(),
    taskQueue: opts.taskQueue,
    args: [{ everyMs: opts.everyMs, lookbackMs: RECONCILE_LOOKBACK_MS }],
    signal: configure,
    signalArgs: [{ everyMs: opts.everyMs }],
  });
}
