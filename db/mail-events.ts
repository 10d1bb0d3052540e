import { recordActivity } from './activity-log';
import type { Db } from './database';
import { endEnrollments, lockLiveEnrollments } from './unsubscribe';

/** What a mail event or tracking hit needs to know about the email it refers to (ids only). */
export interface SendRef {
  sendId: string;
  enrollmentId: string;
  stepId: string;
  contactId: string;
  companyId: string | null;
  sequenceId: string;
  unenrollOnReply: boolean;
  hasHtml: boolean;
  links: string[];
}

const sendRefQuery = (db: Db) =>
  db
    .selectFrom('email_sends as s')
    .innerJoin('enrollments as e', 'e.id', 's.enrollment_id')
    .innerJoin('sequences as q', 'q.id', 'e.sequence_id')
    .innerJoin('contacts as c', 'c.id', 'e.contact_id')
    .select(['s.id as sendId', 's.enrollment_id as enrollmentId', 's.step_id as stepId', 'e.contact_id as contactId', 'c.company_id as companyId', 'e.sequence_id as sequenceId', 'q.unenroll_on_reply as unenrollOnReply', 's.has_html as hasHtml', 's.links']);

/** Providers echo Message-IDs with or without angle brackets; either form matches. */
export async function findSendByMessageId(db: Db, messageId: string): Promise<SendRef | undefined> {
  const bare = messageId.trim().replace(/^<(.*)>$/, '$1');
  return sendRefQuery(db).where('s.message_id', 'in', [bare, `<${bare}>`]).executeTakeFirst();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** By outbox id (from a tracking token); a malformed id is simply not found. */
export async function findSendById(db: Db, sendId: string): Promise<SendRef | undefined> {
  if (!UUID.test(sendId)) return undefined;
  return sendRefQuery(db).where('s.id', '=', sendId).executeTakeFirst();
}

export type ReplyOutcome = { outcome: 'applied' | 'duplicate'; endedEnrollmentIds: string[] };

/**
 * A reply ends the enrollment of the replied-to email when its sequence says so (REPLIED);
 * otherwise it is recorded and the enrollment goes on (REPLIED_SEQUENCE_CONTINUES).
 * Locks like every opt-out (contact, then enrollment: the send claim's order), so a send in flight
 * either went out before or sees the ended enrollment.
 */
export async function applyReply(db: Db, send: SendRef, opts: { dedupeKey: string; actor: string; data?: Record<string, unknown> }): Promise<ReplyOutcome> {
  return db.transaction().execute(async (tx) => {
    await tx.selectFrom('contacts').select('id').where('id', '=', send.contactId).forUpdate().executeTakeFirst();
    const live = await lockLiveEnrollments(tx, { contactId: send.contactId, enrollmentId: send.enrollmentId });
    const seen = await tx.selectFrom('activities').select('id').where('dedupe_key', '=', opts.dedupeKey).executeTakeFirst();
    if (seen) return { outcome: 'duplicate', endedEnrollmentIds: [] };
    const ended = send.unenrollOnReply ? await endEnrollments(tx, live, 'REPLIED') : [];
    await recordActivity(tx, {
      contactId: send.contactId,
      companyId: send.companyId,
      type: 'replied',
      reasonCode: send.unenrollOnReply ? 'REPLIED' : 'REPLIED_SEQUENCE_CONTINUES',
      data: { ...opts.data, ...sendData(send), endedEnrollmentIds: ended },
      actor: opts.actor,
      dedupeKey: opts.dedupeKey,
    });
    return { outcome: 'applied', endedEnrollmentIds: ended };
  });
}

/** Appends an activity unless its dedupe key was seen; true when it was appended. */
export async function appendActivityOnce(db: Db, a: { send: SendRef; type: string; reasonCode?: string; data?: Record<string, unknown>; actor: string; dedupeKey: string }): Promise<boolean> {
  const row = await db
    .insertInto('activities')
    .values({ contact_id: a.send.contactId, company_id: a.send.companyId, type: a.type, reason_code: a.reasonCode ?? null, data: JSON.stringify({ ...a.data, ...sendData(a.send) }), actor: a.actor, dedupe_key: a.dedupeKey })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return Boolean(row);
}

/** The ids an activity about one email carries (no addresses, no content). */
export const sendData = (s: SendRef) => ({ sendId: s.sendId, enrollmentId: s.enrollmentId, sequenceId: s.sequenceId, stepId: s.stepId });
