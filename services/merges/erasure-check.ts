/**
 * Is any of these contacts an erased (or being erased) subject? A merge touching one is refused
 * (ERASED). Every merge path calls this one function; it asks services/erasure/erased-subject.ts
 * (an `erased` suppression holding the keyed hash of the address, or an erasure request for the
 * address or covering the contact, whatever its status).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { erasedContacts } from '../erasure/erased-subject';

export async function isErasedOrErasing(db: Kysely<Database>, contactIds: readonly string[], erasureSecret: string): Promise<boolean> {
  if (contactIds.length === 0) return false;
  const contacts = await db.selectFrom('contacts').select(['id', 'email_normalized']).where('id', 'in', [...contactIds]).execute();
  return (await erasedContacts(db, erasureSecret, contacts)).size > 0;
}
