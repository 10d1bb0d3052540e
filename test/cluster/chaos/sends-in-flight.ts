import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import os from 'node:os';
import type { Db } from '../../../db/database';
import { enrollmentContract } from '../../../workflows/enrollment/contract';

/**
 * Sends one worker process is carrying out right now: outbox rows still `claimed` whose workflow has
 * a started `sendEnrollmentStep` attempt picked up by that worker (the SDK's default identity is
 * `<pid>@<hostname>`). Killing the worker while this is non-empty kills it mid-send.
 */
export async function sendsInFlightOn(db: Db, client: Client, workerPid: number): Promise<string[]> {
  const identity = `${workerPid}@${os.hostname()}`;
  const claimed = await db.selectFrom('email_sends').select('enrollment_id').where('status', '=', 'claimed').execute();
  const started = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;
  const found: string[] = [];
  await Promise.all(
    claimed.map(async ({ enrollment_id }) => {
      const description = await client.workflow.getHandle(enrollmentContract.id(enrollment_id)).describe().catch(() => undefined);
      const pending = description?.raw.pendingActivities ?? [];
      if (pending.some((a) => a.activityType?.name === 'sendEnrollmentStep' && a.state === started && a.lastWorkerIdentity === identity)) found.push(enrollment_id);
    }),
  );
  return found;
}
