import type { Db } from './database';
import type { SequenceRuleFacts } from '../domain/sequences/rules';

/**
 * Loads the facts the sequence rules judge, for one contact and sequence. The same facts feed
 * enrollment, the send-time re-check and the diagnostics endpoint, so all three agree.
 * Pass a transaction as `db` to read them under the claim's locks.
 */
export async function loadSequenceRuleFacts(db: Db, contactId: string, sequenceId: string, opts: { excludeEnrollmentId?: string } = {}): Promise<SequenceRuleFacts> {
  const contact = await db.selectFrom('contacts').select(['email', 'email_normalized', 'status', 'consent']).where('id', '=', contactId).executeTakeFirst();
  const sequence = await db.selectFrom('sequences').select(['status', 'mailbox_id']).where('id', '=', sequenceId).executeTakeFirst();
  const mailbox = sequence ? await db.selectFrom('mailboxes').select(['connected', 'sync_enabled']).where('id', '=', sequence.mailbox_id).executeTakeFirst() : undefined;
  const suppression = contact?.email_normalized
    ? await db.selectFrom('suppressions').select('reason').where('address_normalized', '=', contact.email_normalized).executeTakeFirst()
    : undefined;
  let live = db.selectFrom('enrollments').select('id').where('contact_id', '=', contactId).where('sequence_id', '=', sequenceId).where('status', 'in', ['active', 'waiting', 'paused']);
  if (opts.excludeEnrollmentId) live = live.where('id', '!=', opts.excludeEnrollmentId);
  const other = await live.executeTakeFirst();
  return {
    contact: { exists: Boolean(contact), email: contact?.email ?? null, status: contact?.status ?? 'active', consent: contact?.consent ?? 'unknown' },
    suppression: suppression ? { reason: suppression.reason } : null,
    sequence: { status: sequence?.status ?? 'archived' },
    mailbox: mailbox ? { connected: mailbox.connected, syncEnabled: mailbox.sync_enabled } : null,
    otherLiveEnrollment: Boolean(other),
  };
}
