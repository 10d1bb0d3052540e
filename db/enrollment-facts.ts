import { LIVE_ENROLLMENT_STATUSES } from '../domain/sequences/vocabulary';
import type { Db } from './database';
import type { SequenceRuleFacts } from '../domain/sequences/rules';

/**
 * loadSequenceRuleFacts for many contacts of one sequence in four queries (bulk enrollment of up
 * to 1,000 contacts). Same facts, same defaults: a test holds the two loaders to each other.
 */
export async function loadEnrollmentFactsBatch(db: Db, sequenceId: string, contactIds: readonly string[]): Promise<Map<string, SequenceRuleFacts>> {
  const sequence = await db.selectFrom('sequences').select(['status', 'mailbox_id']).where('id', '=', sequenceId).executeTakeFirst();
  const mailbox = sequence ? await db.selectFrom('mailboxes').select(['connected', 'sync_enabled']).where('id', '=', sequence.mailbox_id).executeTakeFirst() : undefined;
  const contacts = contactIds.length
    ? await db.selectFrom('contacts').select(['id', 'email', 'email_normalized', 'status', 'consent']).where('id', 'in', contactIds).execute()
    : [];
  const addresses = contacts.flatMap((c) => (c.email_normalized ? [c.email_normalized] : []));
  const suppressions = addresses.length
    ? await db.selectFrom('suppressions').select(['address_normalized', 'reason']).where('address_normalized', 'in', addresses).execute()
    : [];
  const live = contactIds.length
    ? await db.selectFrom('enrollments').select('contact_id').where('sequence_id', '=', sequenceId).where('contact_id', 'in', contactIds).where('status', 'in', LIVE_ENROLLMENT_STATUSES).execute()
    : [];

  const byId = new Map(contacts.map((c) => [c.id, c]));
  const suppressionOf = new Map(suppressions.map((s) => [s.address_normalized, s.reason]));
  const enrolled = new Set(live.map((e) => e.contact_id));
  const facts = new Map<string, SequenceRuleFacts>();
  for (const id of contactIds) {
    const contact = byId.get(id);
    const reason = contact?.email_normalized ? suppressionOf.get(contact.email_normalized) : undefined;
    facts.set(id, {
      contact: { exists: Boolean(contact), email: contact?.email ?? null, status: contact?.status ?? 'active', consent: contact?.consent ?? 'unknown' },
      suppression: reason ? { reason } : null,
      sequence: { status: sequence?.status ?? 'archived' },
      mailbox: mailbox ? { connected: mailbox.connected, syncEnabled: mailbox.sync_enabled } : null,
      otherLiveEnrollment: enrolled.has(id),
    });
  }
  return facts;
}
