import type { Db } from './database';

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

/** The ids an activity about one email carries (no addresses, no content). */
export const sendData = (s: SendRef) => ({ sendId: s.sendId, enrollmentId: s.enrollmentId, sequenceId: s.sequenceId, stepId: s.stepId });
