/**
 * The lock order every transaction that decides whether email may go out follows:
 *   1. the contact row, 2. the contact's enrollment rows (in id order), 3. outbox rows.
 * The send claim takes the contact FOR SHARE; anything that ends enrollments (opt-out, erasure, merge,
 * deletion, a CRM change) takes it FOR UPDATE. So a send either committed its claim before the change
 * (it was handed to the mailbox) or re-checks after it and finds the enrollment ended, and the two can
 * never deadlock. Both functions take a Transaction: a lock outside one would be released at once.
 */
import type { Transaction } from 'kysely';
import { LIVE_ENROLLMENT_STATUSES } from '../domain/sequences/vocabulary';
import type { Database } from './schema';

export type Tx = Transaction<Database>;

/** Locks the contact row (step 1); undefined when it does not exist. */
export async function lockContact(tx: Tx, contactId: string, mode: 'update' | 'share') {
  const q = tx.selectFrom('contacts').selectAll().where('id', '=', contactId);
  return (mode === 'update' ? q.forUpdate() : q.forShare()).executeTakeFirst();
}

/**
 * Locks the contact of an enrollment (step 1), found and locked in one statement (the send claim's
 * first); undefined when the enrollment (or its contact) does not exist. Only the contact row is
 * locked: the enrollment is read, and locked next with lockEnrollment.
 */
export async function lockContactOfEnrollment(tx: Tx, enrollmentId: string, mode: 'update' | 'share') {
  const q = tx
    .selectFrom('contacts')
    .selectAll()
    .where('id', '=', (eb) => eb.selectFrom('enrollments').select('contact_id').where('id', '=', enrollmentId));
  return (mode === 'update' ? q.forUpdate() : q.forShare()).executeTakeFirst();
}

/** Locks one enrollment row (step 2), whatever its status; undefined when it does not exist. */
export async function lockEnrollment(tx: Tx, enrollmentId: string) {
  return tx.selectFrom('enrollments').selectAll().where('id', '=', enrollmentId).forUpdate().executeTakeFirst();
}

/** Locks live enrollments of a contact (or one of them), in id order (step 2); returns their ids. */
export async function lockLiveEnrollments(tx: Tx, where: { contactId: string; enrollmentId?: string }): Promise<string[]> {
  let q = tx.selectFrom('enrollments').select('id').where('contact_id', '=', where.contactId).where('status', 'in', LIVE_ENROLLMENT_STATUSES);
  if (where.enrollmentId) q = q.where('id', '=', where.enrollmentId);
  const rows = await q.orderBy('id').forUpdate().execute();
  return rows.map((r) => r.id);
}
