/**
 * THE question every way of (re)creating a person asks: does this address (or contact) belong to an
 * erased subject, or to one being erased? Contact creation and update, enrollment, CSV import,
 * merges and the send claim all ask here, so they agree.
 * An address is erased when an `erased` suppression holds its keyed hash, or when an erasure request
 * (whatever its status: the person asked) was made for it; a contact is when a request covers it.
 * Addresses are compared only as keyed hashes (ERASURE_HASH_SECRET), never in clear.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../db/database';
import { normalizeEmail } from '../../domain/email-address';
import { erasureHash } from '../../domain/privacy/erasure-hash';
import { conflict, type FieldProblem } from '../errors';

/** Never echoes the address: the caller knows which one it sent. */
export const ERASED_ADDRESS_MESSAGE = 'This address belongs to an erased subject (GDPR erasure); it is suppressed and cannot be used again.';

/** The keyed hash of each address, mapped to the normalised address (what `erasedAmong` asks about). */
export function erasureHashesOf(secret: string, addresses: Iterable<string | null | undefined>): Map<string, string> {
  const byHash = new Map<string, string>();
  for (const a of addresses) if (a) byHash.set(erasureHash(secret, a), normalizeEmail(a));
  return byHash;
}

/** The normalised addresses of `byHash` (from `erasureHashesOf`) that belong to erased subjects. */
export async function erasedAmong(db: Db, byHash: ReadonlyMap<string, string>): Promise<Set<string>> {
  if (byHash.size === 0) return new Set();
  // The hashes go over once, as one array probed against both tables (an import asks for 5,000 at a
  // time: `= any()` twice sent and planned them twice, several times slower).
  const { rows } = await sql<{ hash: string }>`
    select x.hash from unnest(${[...byHash.keys()]}::text[]) as x(hash)
    where ${hashErased(sql.ref('x.hash'))}`.execute(db);
  return new Set(rows.flatMap((r) => (byHash.has(r.hash) ? [byHash.get(r.hash)!] : [])));
}

/** Whether the keyed hash `hash` (an SQL expression) is an erased subject's: an `erased` suppression, or any erasure request. */
const hashErased = (hash: RawBuilder<unknown>) => sql<boolean>`(exists (select 1 from suppressions s where s.address_hash = ${hash} and s.reason = 'erased')
       or exists (select 1 from erasure_requests r where r.subject_hash = ${hash}))`;

/**
 * erasedContacts for one contact as an SQL expression, for a caller that asks in a statement it makes
 * anyway (the send claim: one round trip instead of two). Same answer: its address's keyed hash, or its id.
 */
export function contactErasedSql(secret: string, contact: { id: string; email_normalized: string | null }): RawBuilder<boolean> {
  const [hash] = erasureHashesOf(secret, [contact.email_normalized]).keys();
  const covered = sql<boolean>`exists (select 1 from erasure_requests r where r.contact_ids && ${[contact.id]}::uuid[])`;
  return hash === undefined ? covered : sql<boolean>`(${covered} or ${hashErased(sql`${hash}::text`)})`;
}

/** The normalised addresses among `addresses` that belong to erased subjects. */
export async function erasedAddresses(db: Db, secret: string, addresses: Iterable<string | null | undefined>): Promise<Set<string>> {
  return erasedAmong(db, erasureHashesOf(secret, addresses));
}

/**
 * As `erasedAddresses`, for a large batch (a CRM load's page): keyed-hashing every address is most of its
 * CPU, and is skipped while no subject has ever been erased (one index probe per table says so).
 */
export async function erasedAddressesOfBatch(db: Db, secret: string, addresses: readonly string[]): Promise<Set<string>> {
  return (await anySubjectErased(db)) ? erasedAddresses(db, secret, addresses) : new Set();
}

/** Whether any address could be an erased subject's yet (one index probe per table): if not, no batch needs hashing. */
export async function anySubjectErased(db: Db): Promise<boolean> {
  const { rows } = await sql<{ any: boolean }>`
    select exists (select 1 from suppressions where address_hash is not null) or exists (select 1 from erasure_requests) as any`.execute(db);
  return rows[0]?.any ?? true;
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
