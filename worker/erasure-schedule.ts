import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleOptionsStartWorkflowAction, type ScheduleSpec } from '@temporalio/client';
import { retentionSweepContract } from '../workflows/erasure-retention/contract';
import type { erasureRetentionSweepWorkflow } from '../workflows/erasure-retention/workflow';

/**
 * Creates the daily `erasure-retention-sweep` Schedule (UI → Schedules) at ERASURE_RETENTION_SWEEP_AT
 * (HH:MM, UTC), or brings it in step; `off` deletes it. Idempotent: every worker calls it at startup.
 */
export async function ensureRetentionSweepSchedule(client: Client, opts: { taskQueue: string; at: string }): Promise<void> {
  const handle = client.schedule.getHandle(retentionSweepContract.scheduleId);
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
  const action: ScheduleOptionsStartWorkflowAction<typeof erasureRetentionSweepWorkflow> = {
    type: 'startWorkflow',
    workflowType: retentionSweepContract.type,
    workflowId: retentionSweepContract.scheduledWorkflowId,
    taskQueue: opts.taskQueue,
    args: [{}],
  };
  try {
    // A sweep still running is not doubled; a day missed while the server was down is caught up within a day (the sweep is idempotent).
    await client.schedule.create({ scheduleId: retentionSweepContract.scheduleId, spec, action, policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1d' } });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await handle.update((previous) => ({ ...previous, spec, action }));
  }
}
