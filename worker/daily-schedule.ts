import type { Duration } from '@temporalio/common';
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleOptionsStartWorkflowAction, type ScheduleSpec, type Workflow } from '@temporalio/client';

export interface DailySchedule<W extends Workflow> {
  scheduleId: string;
  /** HH:MM in UTC, or `off` (the Schedule is deleted). */
  at: string;
  /** How far back a run missed while the server was down is still started. */
  catchupWindow: Duration;
  action: Omit<ScheduleOptionsStartWorkflowAction<W>, 'type'>;
}

/**
 * Creates a once-a-day Schedule (UI → Schedules), or brings it in step with the settings; `off` deletes
 * it. Idempotent: every worker calls it at startup. A run still going is never doubled (overlap SKIP).
 */
export async function ensureDailySchedule<W extends Workflow>(client: Client, s: DailySchedule<W>): Promise<void> {
  const handle = client.schedule.getHandle(s.scheduleId);
  if (s.at === 'off') {
    try {
      await handle.delete();
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
    }
    return;
  }
  const [hour, minute] = s.at.split(':').map(Number) as [number, number];
  const spec: ScheduleSpec = { calendars: [{ hour, minute }], timezone: 'UTC' };
  const action = { type: 'startWorkflow', ...s.action } as ScheduleOptionsStartWorkflowAction<W>;
  try {
    await client.schedule.create({ scheduleId: s.scheduleId, spec, action, policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: s.catchupWindow } });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await handle.update((previous) => ({ ...previous, spec, action }));
  }
}
