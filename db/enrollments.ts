import type { ReasonCode } from '../domain/reason-codes';
import { LIVE_ENROLLMENT_STATUSES } from '../domain/sequences/vocabulary';
import type { Db } from './database';

/** Live enrollments of one sequence: they re-check their gates when the sequence changes. */
export async function liveEnrollmentIdsOfSequence(db: Db, sequenceId: string): Promise<string[]> {
  const rows = await db.selectFrom('enrollments').select('id').where('sequence_id', '=', sequenceId).where('status', 'in', LIVE_ENROLLMENT_STATUSES).execute();
  return rows.map((r) => r.id);
}

/** Live enrollments of every sequence sending through a mailbox: they re-check when it is (re)connected. */
export async function liveEnrollmentIdsOfMailbox(db: Db, mailboxId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('enrollments')
    .innerJoin('sequences', 'sequences.id', 'enrollments.sequence_id')
    .select('enrollments.id')
    .where('sequences.mailbox_id', '=', mailboxId)
    .where('enrollments.status', 'in', LIVE_ENROLLMENT_STATUSES)
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Ends live enrollments in the database (status `ended` with the reason). Done before the workflow is
 * signalled, so a send that has not claimed its outbox row yet sees a dead enrollment and does not go out.
 * Returns the ids that were live.
 */
export async function endLiveEnrollments(db: Db, where: { enrollmentId?: string; sequenceId?: string }, reason: ReasonCode): Promise<string[]> {
  let q = db
    .updateTable('enrollments')
    .set({ status: 'ended', ended_reason: reason, ended_at: new Date(), updated_at: new Date(), waiting_for: [], next_send_at: null })
    .where('status', 'in', LIVE_ENROLLMENT_STATUSES);
  if (where.enrollmentId) q = q.where('id', '=', where.enrollmentId);
  if (where.sequenceId) q = q.where('sequence_id', '=', where.sequenceId);
  const rows = await q.returning('id').execute();
  return rows.map((r) => r.id);
}
