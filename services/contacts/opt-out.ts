import { sql } from 'kysely';
import { recordActivity } from '../../db/activity-log';
import type { Db } from '../../db/database';
import { lockContact } from '../../db/lock-order';
import type { ActivityType } from '../../domain/activity-log/types';
import type { ContactStatus } from '../../domain/contacts/vocabulary';
import type { ReasonCode } from '../../domain/reason-codes';
import type { SuppressionReason } from '../../domain/suppressions/vocabulary';
import { endLiveEnrollmentsOfContact } from './lifecycle';

/**
 * The one transaction behind every opt-out: API and one-click unsubscribe, hard bounce, complaint.
 * It ends enrollments through the contact lifecycle (the send claim's lock order, db/lock-order.ts),
 * so a send either committed its claim before this (it was handed to the mailbox) or re-checks after
 * it and finds the enrollment ended: nothing that was not yet handed over is sent after an opt-out.
 */
export type OptOutKind = 'unsubscribe' | 'hard_bounce' | 'complaint';

interface OptOutEffect {
  /** New contact status, or null to leave it. */
  status: ContactStatus | null;
  /** Statuses the new one must not overwrite. */
  keepStatuses: readonly ContactStatus[];
  suppressionReason: Exclude<SuppressionReason, 'erased' | 'manual'>;
  endedReason: ReasonCode;
  activityType: ActivityType;
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
    const contact = await lockContact(tx, input.contactId, 'update');
    if (!contact) return { ...base, outcome: 'no_contact', suppressed: false };
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

    // An enrollment created after this commits re-checks the contact at its first send.
    const ended = await endLiveEnrollmentsOfContact(tx, contact.id, effect.endedReason);
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
