import { sql } from 'kysely';
import { recordActivity } from './activity-log';
import type { Db } from './database';
import { LIVE_STATUSES } from './enrollments';
import type { ContactStatus, SuppressionReasonValue } from './schema';
import type { ReasonCode } from '../domain/reason-codes';

/**
 * The one transaction behind every opt-out: API and one-click unsubscribe, hard bounce, complaint.
 * It takes the locks the send claim takes, in the claim's order (the contact row, then the contact's
 * live enrollment rows; see activities/sequences/claim-send.ts), so a send either committed its claim
 * before this (it was handed to the mailbox) or re-checks after it and finds the enrollment ended:
 * nothing that was not yet handed over is sent after an opt-out. The same order means the two can
 * never deadlock.
 */
export type OptOutKind = 'unsubscribe' | 'hard_bounce' | 'complaint';

interface OptOutEffect {
  /** New contact status, or null to leave it. */
  status: ContactStatus | null;
  /** Statuses the new one must not overwrite. */
  keepStatuses: readonly ContactStatus[];
  suppressionReason: Exclude<SuppressionReasonValue, 'erased' | 'manual'>;
  endedReason: ReasonCode;
  activityType: string;
}

const EFFECTS: Record<OptOutKind, OptOutEffect> = {
  // An explicit unsubscribe always wins: it is the contact's own, legally relevant choice.
  unsubscribe: { status: 'unsubscribed', keepStatuses: [], suppressionReason: 'unsubscribed', endedReason: 'UNSUBSCRIBED', activityType: 'unsubscribed' },
  // A bounce must not hide an earlier unsubscribe.
  hard_bounce: { status: 'bounced', keepStatuses: ['unsubscribed'], suppressionReason: 'bounced', endedReason: 'CONTACT_BOUNCED', activityType: 'bounced' },
  // No "complained" contact status exists; the suppression carries it (RULES.md: SUPPRESSED + reason).
  complaint: { status: null, keepStatuses: [], suppressionReason: 'complained', endedReason: 'SUPPRESSED', activityType: 'complained' },
};

export interface OptOutInput {
  contactId: string;
  kind: OptOutKind;
  /** 'user:<id>', 'webhook:mail-events', 'link:one-click'. */
  actor: string;
  /** Set for external events: a second delivery of the same event changes nothing. */
  dedupeKey?: string;
  /** Extra activity data: ids and codes only, never personal data. */
  data?: Record<string, unknown>;
}

export interface OptOutResult {
  outcome: 'applied' | 'unchanged' | 'duplicate' | 'no_contact';
  endedEnrollmentIds: string[];
  endedReason: ReasonCode;
  /** False only when the contact has no address to suppress. */
  suppressed: boolean;
}

export async function applyOptOut(db: Db, input: OptOutInput): Promise<OptOutResult> {
  const effect = EFFECTS[input.kind];
  const base = { endedReason: effect.endedReason, endedEnrollmentIds: [] as string[] };
  return db.transaction().execute(async (tx) => {
    const contact = await tx.selectFrom('contacts').select(['id', 'status', 'email_normalized', 'company_id']).where('id', '=', input.contactId).forUpdate().executeTakeFirst();
    if (!contact) return { ...base, outcome: 'no_contact', suppressed: false };
    const live = await lockLiveEnrollments(tx, { contactId: input.contactId });
    if (input.dedupeKey) {
      // Serialised by the contact lock above, so two deliveries of one event cannot both pass.
      const seen = await tx.selectFrom('activities').select('id').where('dedupe_key', '=', input.dedupeKey).executeTakeFirst();
      if (seen) return { ...base, outcome: 'duplicate', suppressed: contact.email_normalized !== null };
    }

    const statusChanged = effect.status !== null && contact.status !== effect.status && !effect.keepStatuses.includes(contact.status);
    if (statusChanged && effect.status) {
      await tx.updateTable('contacts').set({ status: effect.status, updated_at: sql`now()` }).where('id', '=', contact.id).execute();
    }

    let suppressionAdded = false;
    if (contact.email_normalized) {
      const inserted = await tx
        .insertInto('suppressions')
        .values({ address_normalized: contact.email_normalized, reason: effect.suppressionReason, created_by: input.actor })
        // An existing suppression keeps its original reason: the first reason is the one that matters.
        .onConflict((oc) => oc.column('address_normalized').doNothing())
        .returning('id')
        .executeTakeFirst();
      suppressionAdded = Boolean(inserted);
    }

    // Only the rows locked above: an enrollment created meanwhile re-checks the contact at its first send.
    const ended = await endEnrollments(tx, live, effect.endedReason);
    const changed = statusChanged || suppressionAdded || ended.length > 0;
    // API calls that change nothing log nothing; external events are facts and always logged once.
    if (changed || input.dedupeKey) {
      await recordActivity(tx, {
        contactId: contact.id,
        companyId: contact.company_id,
        type: effect.activityType,
        reasonCode: effect.endedReason,
        data: { ...input.data, endedEnrollmentIds: ended, suppressionReason: effect.suppressionReason },
        actor: input.actor,
        dedupeKey: input.dedupeKey,
      });
    }
    return { ...base, endedEnrollmentIds: ended, outcome: changed ? 'applied' : 'unchanged', suppressed: contact.email_normalized !== null };
  });
}

/** Locks live enrollments (of a contact, or one of them), in id order; returns their ids. */
export async function lockLiveEnrollments(db: Db, where: { contactId: string; enrollmentId?: string }): Promise<string[]> {
  let q = db.selectFrom('enrollments').select('id').where('contact_id', '=', where.contactId).where('status', 'in', LIVE_STATUSES);
  if (where.enrollmentId) q = q.where('id', '=', where.enrollmentId);
  const rows = await q.orderBy('id').forUpdate().execute();
  return rows.map((r) => r.id);
}

/** Ends the given enrollments that are still live, with a reason code; returns the ids it ended. */
export async function endEnrollments(db: Db, ids: readonly string[], reason: ReasonCode): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .updateTable('enrollments')
    .set({ status: 'ended', ended_reason: reason, ended_at: sql`now()`, updated_at: sql`now()`, next_send_at: null, waiting_for: [] })
    .where('id', 'in', ids)
    .where('status', 'in', LIVE_STATUSES)
    .returning('id')
    .execute();
  return rows.map((r) => r.id).sort();
}
