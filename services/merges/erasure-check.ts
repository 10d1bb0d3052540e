/**
 * Is any of these contacts an erased (or being erased) subject? A merge touching one is refused
 * (ERASED). What exists today: an `erased` suppression holding the keyed hash of the address
 * (domain/privacy/erasure-hash.ts). When erasure requests land (the erasure workflow), add "a live
 * erasure request for one of these contacts" here: every merge path calls this one function.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { erasureHash } from '../../domain/privacy/erasure-hash';

export async function isErasedOrErasing(db: Kysely<Database>, contactIds: readonly string[], erasureSecret: string): Promise<boolean> {
  if (contactIds.length === 0) return false;
  const contacts = await db.selectFrom('contacts').select('email_normalized').where('id', 'in', [...contactIds]).where('email_normalized', 'is not', null).execute();
  const hashes = contacts.map((c) => erasureHash(erasureSecret, c.email_normalized!));
  if (hashes.length === 0) return false;
  const hit = await db.selectFrom('suppressions').select('id').where('reason', '=', 'erased').where(sql<boolean>`address_hash = any(${hashes}::text[])`).limit(1).executeTakeFirst();
  return hit !== undefined;
}
