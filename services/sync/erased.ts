/**
 * "Is this address an erased subject" for the inbound rules (ERASED): an `erased` suppression holds
 * the keyed hash of the address (domain/privacy/erasure-hash.ts). The erasure branch adds the shared
 * answer (also counting live erasure requests); at merge time this function delegates to it.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database';
import { erasureHash } from '../../domain/privacy/erasure-hash';

/** The normalised addresses among `emails` that belong to erased subjects. */
export async function erasedAddresses(db: Db, erasureSecret: string, emails: readonly string[]): Promise<Set<string>> {
  if (emails.length === 0) return new Set();
  // Hashing every address is only worth it when some subject was erased at all.
  const any = await db.selectFrom('suppressions').select('id').where('reason', '=', 'erased').limit(1).executeTakeFirst();
  if (!any) return new Set();
  const byHash = new Map(emails.map((e) => [erasureHash(erasureSecret, e), e]));
  const hits = await db.selectFrom('suppressions').select('address_hash').where('reason', '=', 'erased').where(sql<boolean>`address_hash = any(${[...byHash.keys()]}::text[])`).execute();
  return new Set(hits.map((h) => byHash.get(h.address_hash!)!));
}
