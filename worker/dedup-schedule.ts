import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleOptionsStartWorkflowAction, type ScheduleSpec } from '@temporalio/client';
import { dedupScanContract } from '../workflows/dedup-scan/contract';
import type { dedupScanWorkflow } from '../workflows/dedup-scan/workflow';

/**
 * Creates the nightly `dedup-scan-nightly` Schedule (UI → Schedules) at DEDUP_SCAN_AT (HH:MM, UTC), or
 * brings it in step; `off` deletes it. Idempotent: every worker calls it at startup.
 */
export async function ensureDedupSchedule(client: Client, opts: { taskQueue: string; at: string }): Promise<void> {
  const handle = client.schedule.getHandle(dedupScanContract.scheduleId);
  if (opts.at === 'off') {
    try {
      await handle.delete();
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
    }
    return;
  }
  const [hour, minute] = opts.at.split(':').map(Number) as [number, number];
  const spec: ScheduleSpec = { calendars: [{ hour, minute }], timezone: 'UTC' };
  const action: ScheduleOptionsStartWorkflowAction<typeof dedupScanWorkflow> = {
    type: 'startWorkflow',
    workflowType: dedupScanContract.type,
    workflowId: dedupScanContract.scheduledWorkflowId,
    taskQueue: opts.taskQueue,
    args: [{ trigger: 'schedule' }],
  };
  try {
    // A scan still running is not doubled; a night missed while the server was down is not replayed.
    await client.schedule.create({ scheduleId: dedupScanContract.scheduleId, spec, action, policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1h' } });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await handle.update((previous) => ({ ...previous, spec, action }));
  }
}
