/**
 * Finding duplicate candidates without comparing every pair (RULES.md "detection"):
 * - DUPLICATE_EMAIL: contacts grouped by normalised address (an index lookup, one GROUP BY);
 * - DUPLICATE_NAME: sorted neighbourhoods. PostgreSQL sorts the contacts by company and by a name key
 *   (three keys: the folded full name, its words sorted — swapped first/last names —, and the name
 *   reversed — typos in the first letters), and each contact is compared only with the few before it
 *   in that order, with a Levenshtein library, in the same company (or both without one).
 * Comparisons are O(n · window · passes) and the sorts O(n log n); memory is one window per pass.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../db/database';
import { addressesConflict, distinctColleagues } from '../../domain/duplicates/address-evidence';
import { compareNames, normalizeName } from '../../domain/duplicates/name-match';
import { keepNameOnlyPartners, type NameOnlyPartner } from '../../domain/duplicates/name-only-ambiguity';
import type { DuplicateReason } from '../../domain/duplicates/vocabulary';

export interface Candidate {
  a: string;
  b: string;
  reasons: Set<DuplicateReason>;
  score: number;
  nameDistance: number | null;
}

export interface CandidateSearch {
  candidates: Map<string, Candidate>;
  contactsScanned: number;
  comparisons: number;
}

export interface CandidateOptions {
  maxDistance: number;
  /** How many preceding contacts in sort order each one is compared with. */
  window?: number;
  /** A name-only contact (no company, no address) matching more people than this is no candidate. */
  nameOnlyMaxPeople?: number;
  /** Called every page of each pass (heartbeats). */
  onProgress?: (scanned: number) => void;
}

export const DEFAULT_WINDOW = 8;
export const DEFAULT_NAME_ONLY_MAX_PEOPLE = 2;
/** Above this many contacts sharing one address, pairs chain (a–b, b–c, …) instead of all pairs: still one cluster. */
const MAX_ALL_PAIRS_GROUP = 20;
const FETCH = 5000;

const NAME_KEYS: { name: string; expr: RawBuilder<unknown> }[] = [
  { name: 'full name', expr: sql`dedup_name_key(first_name, last_name)` },
  { name: 'words sorted', expr: sql`array_to_string(array(select w from unnest(string_to_array(dedup_name_key(first_name, last_name), ' ')) w order by w), ' ')` },
  { name: 'reversed', expr: sql`reverse(dedup_name_key(first_name, last_name))` },
];

function add(found: Map<string, Candidate>, x: string, y: string, reason: DuplicateReason, score: number, nameDistance: number | null): void {
  const [a, b] = x < y ? [x, y] : [y, x];
  const key = `${a}|${b}`;
  const existing = found.get(key);
  if (!existing) {
    found.set(key, { a, b, reasons: new Set([reason]), score, nameDistance });
    return;
  }
  existing.reasons.add(reason);
  existing.score = Math.max(existing.score, score);
  if (nameDistance !== null) existing.nameDistance = Math.min(existing.nameDistance ?? nameDistance, nameDistance);
}

export async function findCandidates(db: Db, opts: CandidateOptions): Promise<CandidateSearch> {
  const found = new Map<string, Candidate>();
  const window = opts.window ?? DEFAULT_WINDOW;
  let comparisons = 0;

  const groups = await sql<{ ids: string[] }>`
    select array_agg(id::text order by id) as ids from contacts
    where merged_into is null and email_normalized is not null
    group by email_normalized having count(*) > 1`.execute(db);
  for (const { ids } of groups.rows) {
    if (ids.length <= MAX_ALL_PAIRS_GROUP) {
      for (let i = 0; i < ids.length; i++) for (let j = i + 1; j < ids.length; j++) add(found, ids[i]!, ids[j]!, 'DUPLICATE_EMAIL', 1, null);
    } else {
      for (let i = 1; i < ids.length; i++) add(found, ids[i - 1]!, ids[i]!, 'DUPLICATE_EMAIL', 1, null);
    }
  }

  /** Name-only contacts (no company, no address) → their name partners, judged once every pass has run. */
  const nameOnly = new Map<string, Map<string, NameOnlyPartner>>();
  let scanned = 0;
  for (const key of NAME_KEYS) {
    scanned = 0;
    await db.transaction().execute(async (tx) => {
      await sql`declare dedup_names no scroll cursor for
        select id::text as id, company_id::text as company_id, email_normalized, first_name, last_name from contacts
        where merged_into is null and (first_name is not null or last_name is not null)
        order by company_id nulls first, ${key.expr}, id`.execute(tx);
      const recent: { id: string; company: string | null; email: string | null; name: string }[] = [];
      const noteNameOnly = (bare: string, partner: NameOnlyPartner) => {
        const partners = nameOnly.get(bare) ?? new Map<string, NameOnlyPartner>();
        partners.set(partner.id, partner);
        nameOnly.set(bare, partners);
      };
      for (;;) {
        const { rows } = await sql<{ id: string; company_id: string | null; email_normalized: string | null; first_name: string | null; last_name: string | null }>`fetch ${sql.raw(String(FETCH))} from dedup_names`.execute(tx);
        for (const row of rows) {
          const name = normalizeName(row.first_name, row.last_name);
          if (recent.length > 0 && recent[recent.length - 1]!.company !== row.company_id) recent.length = 0;
          if (name.length > 0) {
            for (const other of recent) {
              if (addressesConflict(row.company_id, row.email_normalized, other.email)) continue;
              comparisons++;
              const match = compareNames(name, other.name, opts.maxDistance);
              if (!match || distinctColleagues(row.email_normalized, other.email, match.distance)) continue;
              add(found, row.id, other.id, 'DUPLICATE_NAME', match.score, match.distance);
              if (row.company_id === null && row.email_normalized === null) noteNameOnly(row.id, { id: other.id, email: other.email, distance: match.distance });
              if (other.company === null && other.email === null) noteNameOnly(other.id, { id: row.id, email: row.email_normalized, distance: match.distance });
            }
            recent.push({ id: row.id, company: row.company_id, email: row.email_normalized, name });
            if (recent.length > window) recent.shift();
          }
        }
        scanned += rows.length;
        opts.onProgress?.(scanned);
        if (rows.length < FETCH) break;
      }
      await sql`close dedup_names`.execute(tx);
    });
  }
  for (const [bare, partners] of nameOnly) {
    const kept = new Set(keepNameOnlyPartners([...partners.values()], opts.nameOnlyMaxPeople ?? DEFAULT_NAME_ONLY_MAX_PEOPLE).map((p) => p.id));
    for (const partner of partners.keys()) {
      if (kept.has(partner)) continue;
      const key = bare < partner ? `${bare}|${partner}` : `${partner}|${bare}`;
      // A bare contact has no address, so its pairs are name pairs only.
      found.delete(key);
    }
  }
  const total = await db.selectFrom('contacts').select((eb) => eb.fn.countAll<string>().as('n')).where('merged_into', 'is', null).executeTakeFirstOrThrow();
  return { candidates: found, contactsScanned: Number(total.n), comparisons };
}
