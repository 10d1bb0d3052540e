import type { Client } from '@temporalio/client';
import { dedupScanContract } from '../workflows/dedup-scan/contract';
import type { dedupScanWorkflow } from '../workflows/dedup-scan/workflow';
import { ensureDailySchedule } from './daily-schedule';

/** The nightly `dedup-scan-nightly` Schedule at DEDUP_SCAN_AT (HH:MM, UTC); `off` deletes it. */
export async function ensureDedupSchedule(client: Client, opts: { taskQueue: string; at: string }): Promise<void> {
  await ensureDailySchedule<typeof dedupScanWorkflow>(client, {
    scheduleId: dedupScanContract.scheduleId,
    at: opts.at,
    // A night missed while the server was down is not replayed: the next night scans everything anyway.
    catchupWindow: '1h',
    action: { workflowType: dedupScanContract.type, workflowId: dedupScanContract.scheduledWorkflowId, taskQueue: opts.taskQueue, args: [{ trigger: 'schedule' }] },
  });
}
