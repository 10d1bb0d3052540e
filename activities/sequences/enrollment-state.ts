/**
 * The enrollment row mirrors the workflow's state (status, waiting_for, next_send_at), so the API
 * answers from the database. Writes only touch live rows: an enrollment ended elsewhere (unsubscribe,
 * unenroll, archive) is never brought back by a late workflow write.
 */
import { LIVE_ENROLLMENT_STATUSES } from '../../domain/sequences/vocabulary';
import { recordActivity } from '../../db/activity-log';
import type { SequenceContext } from './context';
import { workflowActor } from './context';
import type { CompleteResult, EndInput, EndResult, RecordStateInput } from './types';

export async function recordEnrollmentState({ db, now }: Pick<SequenceContext, 'db' | 'now'>, input: RecordStateInput): Promise<void> {
  await db
    .updateTable('enrollments')
    .set({ status: input.status, waiting_for: input.waitingFor, next_send_at: input.nextSendAtMs === null ? null : new Date(input.nextSendAtMs), updated_at: new Date(now()) })
    .where('id', '=', input.enrollmentId)
    .where('status', 'in', LIVE_ENROLLMENT_STATUSES)
    .execute();
}

/**
 * Ends the enrollment (idempotent). A rule that blocked a step is logged as `email_blocked` with every
 * failing code; any other end (unenroll, unsubscribe, reply, bounce, archive) as `unenrolled` with its reason.
 */
export async function endEnrollment({ db, now }: Pick<SequenceContext, 'db' | 'now'>, input: EndInput): Promise<EndResult> {
  return db.transaction().execute(async (tx) => {
    await tx
      .updateTable('enrollments')
      .set({ status: 'ended', ended_reason: input.reason, ended_at: new Date(now()), updated_at: new Date(now()), waiting_for: [], next_send_at: null })
      .where('id', '=', input.enrollmentId)
      .where('status', 'in', LIVE_ENROLLMENT_STATUSES)
      .execute();
    const row = await tx.selectFrom('enrollments').select(['contact_id', 'sequence_id', 'ended_reason']).where('id', '=', input.enrollmentId).executeTakeFirst();
    if (!row) return { endedReason: input.reason }; // the contact was deleted with its enrollments
    const data = { ...input.data, enrollmentId: input.enrollmentId, sequenceId: row.sequence_id, ...(input.codes ? { codes: input.codes } : {}) };
    const actor = input.actor ?? workflowActor(input.enrollmentId);
    if (input.blockedStepId) {
      await recordActivity(tx, {
        contactId: row.contact_id,
        type: 'email_blocked',
        reasonCode: input.reason,
        data: { ...data, stepId: input.blockedStepId },
        actor,
        dedupeKey: `email_blocked:${input.enrollmentId}:${input.blockedStepId}`,
      });
    } else {
      await recordActivity(tx, { contactId: row.contact_id, type: 'unenrolled', reasonCode: row.ended_reason ?? input.reason, data, actor, dedupeKey: `unenrolled:${input.enrollmentId}` });
    }
    return { endedReason: row.ended_reason ?? input.reason };
  });
}

/** Every reachable step is handled: status `completed` and a `completed` activity (once). */
export async function completeEnrollment({ db, now }: Pick<SequenceContext, 'db' | 'now'>, input: { enrollmentId: string }): Promise<CompleteResult> {
  return db.transaction().execute(async (tx) => {
    await tx
      .updateTable('enrollments')
      .set({ status: 'completed', ended_at: new Date(now()), updated_at: new Date(now()), waiting_for: [], next_send_at: null })
      .where('id', '=', input.enrollmentId)
      .where('status', 'in', LIVE_ENROLLMENT_STATUSES)
      .execute();
    const row = await tx.selectFrom('enrollments').select(['contact_id', 'sequence_id', 'status', 'ended_reason']).where('id', '=', input.enrollmentId).executeTakeFirst();
    if (!row) return { status: 'ended', endedReason: 'CONTACT_NO_EMAIL' };
    if (row.status !== 'completed') return { status: 'ended', endedReason: row.ended_reason };
    await recordActivity(tx, {
      contactId: row.contact_id,
      type: 'completed',
      data: { enrollmentId: input.enrollmentId, sequenceId: row.sequence_id },
      actor: workflowActor(input.enrollmentId),
      dedupeKey: `completed:${input.enrollmentId}`,
    });
    return { status: 'completed', endedReason: null };
  });
}
