/**
 * THE question every way of (re)creating a person asks: does this address (or contact) belong to an
 * erased subject, or to one being erased? Contact creation and update, enrollment, CSV import,
 * merges and the send claim all ask here, so they agree.
 * An address is erased when an `erased` suppression holds its keyed hash, or when an erasure request
 * (whatever its status: the person asked) was made for it; a contact is when a request covers it.
 * Addresses are compared only as keyed hashes (ERASURE_HASH_SECRET), never in clear.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database';
import { normalizeEmail } from '../../domain/email-address';
import { erasureHash } from '../../domain/privacy/erasure-hash';
import { conflict, type FieldProblem } from '../errors';

/** Never echoes the address: the caller knows which one it sent. */
export const ERASED_ADDRESS_MESSAGE = 'This address belongs to an erased subject (GDPR erasure); it is suppressed and cannot be used again.';

/** The normalised addresses among `addresses` that belong to erased subjects. */
export async function erasedAddresses(db: Db, secret: string, addresses: Iterable<string | null | undefined>): Promise<Set<string>> {
  const byHash = new Map<string, string>();
  for (const a of addresses) if (a) byHash.set(erasureHash(secret, a), normalizeEmail(a));
  if (byHash.size === 0) return new Set();
  const hashes = [...byHash.keys()];
  const rows = await db
    .selectFrom('suppressions')
    .select('address_hash as hash')
    .where('reason', '=', 'erased')
    .where(sql<boolean>`address_hash = any(${hashes}::text[])`)
    .union(db.selectFrom('erasure_requests').select('subject_hash as hash').where(sql<boolean>`subject_hash = any(${hashes}::text[])`))
    .execute();
  return new Set(rows.flatMap((r) => (r.hash && byHash.has(r.hash) ? [byHash.get(r.hash)!] : [])));
}

/** The contacts among `contactIds` that an erasure request covers (their rows are stubs, gone, or going). */
export async function contactsUnderErasure(db: Db, contactIds: readonly string[]): Promise<Set<string>> {
  if (contactIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('erasure_requests')
    .select(sql<string>`unnest(contact_ids)`.as('id'))
    .where(sql<boolean>`contact_ids && ${[...contactIds]}::uuid[]`)
    .execute();
  const wanted = new Set(contactIds);
  return new Set(rows.map((r) => r.id).filter((id) => wanted.has(id)));
}

/** Contacts whose address or id belongs to an erased subject (enrollment, merges, the send claim). */
export async function erasedContacts(db: Db, secret: string, contacts: ReadonlyArray<{ id: string; email_normalized: string | null }>): Promise<Set<string>> {
  const [addresses, covered] = await Promise.all([erasedAddresses(db, secret, contacts.map((c) => c.email_normalized)), contactsUnderErasure(db, contacts.map((c) => c.id))]);
  return new Set(contacts.filter((c) => covered.has(c.id) || (c.email_normalized !== null && addresses.has(c.email_normalized))).map((c) => c.id));
}

/** 409 ERASED naming the field, for the contacts API. */
export async function assertAddressNotErased(db: Db, secret: string, address: string | null | undefined, path = 'body.email'): Promise<void> {
  if (!address) return;
  if ((await erasedAddresses(db, secret, [address])).size > 0) throw conflict('ERASED', ERASED_ADDRESS_MESSAGE, [erasedField(path)]);
}

/** 409 ERASED for a contact covered by an erasure request (a stub cannot be given personal data again). */
export async function assertContactNotErased(db: Db, contactId: string): Promise<void> {
  if ((await contactsUnderErasure(db, [contactId])).size > 0) {
    throw conflict('ERASED', `Contact ${contactId} was erased (GDPR erasure); it keeps only retained financial references and cannot be changed.`);
  }
}

const erasedField = (path: string): FieldProblem => ({ path, problem: 'belongs to an erased subject', code: 'ERASED' });
