/**
 * Bounces, complaints and replies from the mail provider, matched to the outbox by Message-ID. Each
 * event is applied once (its dedupe key), and ends enrollments through the contact lifecycle.
 */
import { recordActivity } from '../../db/activity-log';
import type { Db } from '../../db/database';
import { findSendByMessageId, sendData, type SendRef } from '../../db/email-sends';
import { lockContact } from '../../db/lock-order';
import type { ReasonCode } from '../../domain/reason-codes';
import { endLiveEnrollmentsOfContact, signalEndedAfterCommit, type LifecycleDeps } from '../contacts/lifecycle';
import { applyOptOut } from '../contacts/opt-out';

const ACTOR = 'webhook:mail-events';

export interface MailEvent {
  messageId: string;
  type: 'bounce' | 'complaint' | 'reply';
  bounceType?: 'hard' | 'soft';
  occurredAt?: string;
}

export interface MailEventResult {
  messageId: string;
  type: MailEvent['type'];
  outcome: 'applied' | 'duplicate' | 'ignored';
  reasonCode: ReasonCode;
  endedEnrollmentIds: string[];
}

type ReplyOutcome = { outcome: 'applied' | 'duplicate'; endedEnrollmentIds: string[] };

/**
 * A reply ends the enrollment of the replied-to email when its sequence says so (REPLIED);
 * otherwise it is recorded and the enrollment goes on (REPLIED_SEQUENCE_CONTINUES).
 */
async function applyReply(db: Db, send: SendRef, opts: { dedupeKey: string; data?: Record<string, unknown> }): Promise<ReplyOutcome> {
  return db.transaction().execute(async (tx) => {
    // The contact lock serialises two deliveries of one event, so the dedupe check below is exact.
    await lockContact(tx, send.contactId, 'update');
    const seen = await tx.selectFrom('activities').select('id').where('dedupe_key', '=', opts.dedupeKey).executeTakeFirst();
    if (seen) return { outcome: 'duplicate', endedEnrollmentIds: [] };
    const ended = send.unenrollOnReply ? await endLiveEnrollmentsOfContact(tx, send.contactId, 'REPLIED', { enrollmentId: send.enrollmentId }) : [];
    await recordActivity(tx, {
      contactId: send.contactId,
      companyId: send.companyId,
      type: 'replied',
      reasonCode: send.unenrollOnReply ? 'REPLIED' : 'REPLIED_SEQUENCE_CONTINUES',
      data: { ...opts.data, ...sendData(send), endedEnrollmentIds: ended },
      actor: ACTOR,
      dedupeKey: opts.dedupeKey,
    });
    return { outcome: 'applied', endedEnrollmentIds: ended };
  });
}

const ignored = (event: MailEvent): MailEventResult => ({ messageId: event.messageId, type: event.type, outcome: 'ignored', reasonCode: 'UNKNOWN_MESSAGE_ID', endedEnrollmentIds: [] });

const endReason = (event: MailEvent): ReasonCode => (event.type === 'reply' ? 'REPLIED' : event.type === 'bounce' ? 'CONTACT_BOUNCED' : 'SUPPRESSED');

async function applyEvent(db: Db, send: SendRef, event: MailEvent): Promise<MailEventResult> {
  const dedupeKey = `mail-event:${event.type}${event.bounceType ? `-${event.bounceType}` : ''}:${send.sendId}`;
  const data = { ...sendData(send), ...(event.bounceType && { bounceType: event.bounceType }), ...(event.occurredAt && { occurredAt: event.occurredAt }) };
  const base = { messageId: event.messageId, type: event.type };
  if (event.type === 'reply') {
    const r = await applyReply(db, send, { dedupeKey, data });
    return { ...base, outcome: r.outcome, reasonCode: send.unenrollOnReply ? 'REPLIED' : 'REPLIED_SEQUENCE_CONTINUES', endedEnrollmentIds: r.endedEnrollmentIds };
  }
  if (event.type === 'bounce' && event.bounceType === 'soft') {
    const added = await recordActivity(db, { contactId: send.contactId, companyId: send.companyId, type: 'bounced', reasonCode: 'SOFT_BOUNCE', data, actor: ACTOR, dedupeKey });
    return { ...base, outcome: added ? 'applied' : 'duplicate', reasonCode: 'SOFT_BOUNCE', endedEnrollmentIds: [] };
  }
  const r = await applyOptOut(db, { contactId: send.contactId, kind: event.type === 'bounce' ? 'hard_bounce' : 'complaint', actor: ACTOR, dedupeKey, data });
  if (r.outcome === 'no_contact') return ignored(event);
  return { ...base, outcome: r.outcome === 'duplicate' ? 'duplicate' : 'applied', reasonCode: r.endedReason, endedEnrollmentIds: r.endedEnrollmentIds };
}

/** One at a time: events about one contact must apply in the order the provider sent them. */
export async function applyMailEvents(deps: LifecycleDeps, events: readonly MailEvent[]): Promise<MailEventResult[]> {
  const results: MailEventResult[] = [];
  for (const event of events) {
    const send = await findSendByMessageId(deps.db, event.messageId);
    const result = send ? await applyEvent(deps.db, send, event) : ignored(event);
    await signalEndedAfterCommit(deps, result.endedEnrollmentIds, endReason(event));
    results.push(result);
  }
  return results;
}
