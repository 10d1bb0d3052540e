/**
 * The contact lifecycle: "end this contact's live enrollments under the send claim's lock order, log
 * why, and signal the workflows after commit". Opt-outs, replies, contact deletion, erasure, merge and
 * CRM sync (consent or status changes) all end enrollments through here, so none of them can send an
 * email the change should have stopped, and none can deadlock with a send (db/lock-order.ts).
 */
import type { Client } from '@temporalio/client';
import { sql } from 'kysely';
import { recordActivity, type ActivityInput } from '../../db/activity-log';
import type { Db } from '../../db/database';
import { lockContact, lockLiveEnrollments, type Tx } from '../../db/lock-order';
import type { ReasonCode } from '../../domain/reason-codes';
import { LIVE_ENROLLMENT_STATUSES } from '../../domain/sequences/vocabulary';
import { signalEnrollmentsEnded } from '../../temporal/enrollment-workflows';
import type { TemporalLogger } from '../../temporal/logger';

/** Ends the given enrollments that are still live, with a reason code; returns the ids it ended (sorted). */
export async function endEnrollments(tx: Tx, ids: readonly string[], reason: ReasonCode): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await tx
    .updateTable('enrollments')
    .set({ status: 'ended', ended_reason: reason, ended_at: sql`now()`, updated_at: sql`now()`, next_send_at: null, waiting_for: [] })
    .where('id', 'in', ids)
    .where('status', 'in', LIVE_ENROLLMENT_STATUSES)
    .returning('id')
    .execute();
  return rows.map((r) => r.id).sort();
}

/**
 * Locks the contact (FOR UPDATE) and then its live enrollments (all, or `only` one), and ends them with
 * `reason`. Locking the contact again in a transaction that already holds it is a no-op, so callers that
 * locked it first (to read it) keep the order. The caller commits, then signals (signalEndedAfterCommit).
 */
export async function endLiveEnrollmentsOfContact(tx: Tx, contactId: string, reason: ReasonCode, only?: { enrollmentId: string }): Promise<string[]> {
  await lockContact(tx, contactId, 'update');
  const live = await lockLiveEnrollments(tx, { contactId, ...(only && { enrollmentId: only.enrollmentId }) });
  return endEnrollments(tx, live, reason);
}

export interface LifecycleDeps {
  db: Db;
  temporal: Client;
  log: TemporalLogger;
}

/** After the transaction committed: tell each ended enrollment's workflow to stop (never fails the caller). */
export function signalEndedAfterCommit(deps: Pick<LifecycleDeps, 'temporal' | 'log'>, enrollmentIds: readonly string[], reason: ReasonCode): Promise<void> {
  return signalEnrollmentsEnded(deps.temporal, enrollmentIds, reason, deps.log);
}

/**
 * The whole step for callers with nothing else to change: one transaction that ends the contact's live
 * enrollments and logs why on the contact (one entry, naming the ended enrollments), then the signals.
 */
export async function endContactEnrollments(
  deps: LifecycleDeps,
  contactId: string,
  reason: ReasonCode,
  log: Omit<ActivityInput, 'contactId' | 'reasonCode'>,
): Promise<string[]> {
  const ended = await deps.db.transaction().execute(async (tx) => {
    const ids = await endLiveEnrollmentsOfContact(tx, contactId, reason);
    if (ids.length > 0) await recordActivity(tx, { ...log, contactId, reasonCode: reason, data: { ...log.data, endedEnrollmentIds: ids } });
    return ids;
  });
  await signalEndedAfterCommit(deps, ended, reason);
  return ended;
}
