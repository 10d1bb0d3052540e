import type { Client } from '@temporalio/client';
import { retentionSweepContract } from '../workflows/erasure-retention/contract';
import type { erasureRetentionSweepWorkflow } from '../workflows/erasure-retention/workflow';
import { ensureDailySchedule } from './daily-schedule';

/** The daily `erasure-retention-sweep` Schedule at ERASURE_RETENTION_SWEEP_AT (HH:MM, UTC); `off` deletes it. */
export async function ensureRetentionSweepSchedule(client: Client, opts: { taskQueue: string; at: string }): Promise<void> {
  await ensureDailySchedule<typeof erasureRetentionSweepWorkflow>(client, {
    scheduleId: retentionSweepContract.scheduleId,
    at: opts.at,
    // A day missed while the server was down is caught up within a day (the sweep is idempotent).
    catchupWindow: '1d',
    action: { workflowType: retentionSweepContract.type, workflowId: retentionSweepContract.scheduledWorkflowId, taskQueue: opts.taskQueue, args: [{}] },
  });
}
