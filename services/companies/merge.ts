/**
 * Company merge (admins): the duplicates' contacts, activity, deals, promotion and CRM links move to
 * the primary, domains and external ids are unioned, and the duplicates stay as tombstones pointing
 * at it (`merged_into`). One transaction; the companies are locked FOR UPDATE in id order first (a
 * resolve share-locks the company it attaches a contact to, so it waits and then follows the
 * tombstone), then their rows move. Every moved row is journalled (company_merge_moves), as contact
 * merges do. Refused, with nothing changed, when the companies are linked to different PSA clients or
 * different CRM accounts of one connector: a merge must never make one company two clients' or two
 * accounts'.
 */
import { sql } from 'kysely';
import { recordActivity } from '../../db/activity-log';
import type { Db } from '../../db/database';
import type { Tx } from '../../db/lock-order';
import type { CompanyRow } from '../../db/schema';
import type { CompanyMergeMoveKind } from '../../domain/matching/vocabulary';
import { actorLabel, type Actor } from '../actor';
import { conflict, invalidFields, notFound } from '../errors';

export interface CompanyMergeMoved {
  contacts: number;
  activities: number;
  deals: number;
  promotions: number;
  crmLinks: number;
  reviewItems: number;
}

export interface CompanyMergeResult {
  mergeId: string;
  primaryId: string;
  duplicateIds: string[];
  moved: CompanyMergeMoved;
  domainsAdded: string[];
  changedFields: string[];
  company: CompanyRow;
  mergedAt: Date;
}

/** CRM links that still drive a company (a stopped or skipped record no longer writes it). */
const LIVE_LINK = ['synced', 'frozen', 'review'] as const;

export async function mergeCompanies(db: Db, primaryId: string, body: { duplicateIds: string[] }, actor: Actor): Promise<CompanyMergeResult> {
  const duplicateIds = [...new Set(body.duplicateIds)];
  if (duplicateIds.includes(primaryId)) throw invalidFields([{ path: 'body.duplicateIds', problem: 'must not contain the primary company itself' }]);
  const ids = [primaryId, ...duplicateIds].sort();

  return db.transaction().execute(async (tx) => {
    const locked = await tx.selectFrom('companies').selectAll().where('id', 'in', ids).orderBy('id').forUpdate().execute();
    const byId = new Map(locked.map((c) => [c.id, c]));
    for (const id of [primaryId, ...duplicateIds]) if (!byId.has(id)) throw notFound('Company', id);
    const merged = locked.filter((c) => c.merged_into !== null);
    if (merged.length > 0) throw conflict('COMPANY_MERGED', `Company ${merged.map((c) => `${c.id} was already merged into ${c.merged_into}`).join('; ')}; merge into (or from) the primary instead.`);
    const primary = byId.get(primaryId)!;
    const duplicates = duplicateIds.map((id) => byId.get(id)!);
    await assertMergeable(tx, primary, duplicates);

    const by = actorLabel(actor);
    const merge = await tx.insertInto('company_merges').values({ primary_id: primaryId, duplicate_ids: duplicateIds, merged_by: by }).returning(['id', 'created_at']).executeTakeFirstOrThrow();
    const moved: CompanyMergeMoved = {
      contacts: await journalAndMove(tx, merge.id, 'contact', 'contacts', 'id::text', duplicateIds, primaryId),
      activities: await journalAndMove(tx, merge.id, 'activity', 'activities', 'id::text', duplicateIds, primaryId),
      deals: await journalAndMove(tx, merge.id, 'deal', 'deals', 'id::text', duplicateIds, primaryId),
      promotions: await movePromotion(tx, merge.id, primary, duplicates),
      crmLinks: await moveCrmLinks(tx, merge.id, duplicateIds, primaryId),
      reviewItems: await moveReviewCandidates(tx, merge.id, duplicateIds, primaryId),
    };

    // Tombstones first: psa_client_id is unique, and the primary may take a duplicate's.
    const now = new Date();
    await tx
      .updateTable('companies')
      .set({ merged_into: primaryId, merged_at: now, domains: [], external_ids: '{}', psa_client_id: null, updated_at: now })
      .where('id', 'in', duplicateIds)
      .execute();
    const after = mergedValues(primary, duplicates);
    const changedFields = (Object.keys(after) as (keyof typeof after)[]).filter((k) => JSON.stringify(after[k]) !== JSON.stringify(primary[k]));
    const company = await tx
      .updateTable('companies')
      .set({ ...after, external_ids: JSON.stringify(after.external_ids), updated_at: now })
      .where('id', '=', primaryId)
      .returningAll()
      .executeTakeFirstOrThrow();
    const domainsAdded = after.domains.filter((d) => !primary.domains.includes(d));

    const result = { moved, domainsAdded, changedFields };
    await tx.updateTable('company_merges').set({ result: JSON.stringify(result) }).where('id', '=', merge.id).execute();
    await recordActivity(tx, { companyId: primaryId, type: 'companies_merged', data: { mergeId: merge.id, duplicateIds, ...result }, actor: by });
    for (const d of duplicateIds) await recordActivity(tx, { companyId: d, type: 'company_merged_into', reasonCode: 'COMPANY_MERGED', data: { mergeId: merge.id, primaryId }, actor: by });
    return { mergeId: merge.id, primaryId, duplicateIds, moved, domainsAdded, changedFields, company, mergedAt: merge.created_at };
  });
}

/** Live promotions, different PSA clients, different CRM accounts: refused before anything moves. */
async function assertMergeable(tx: Tx, primary: CompanyRow, duplicates: CompanyRow[]): Promise<void> {
  const all = [primary, ...duplicates];
  const ids = all.map((c) => c.id);
  const live = await tx.selectFrom('promotions').select(['company_id', 'status']).where('company_id', 'in', ids).where('status', 'in', ['running', 'waiting_for_psa']).execute();
  if (live.length > 0) throw conflict('PROMOTION_IN_PROGRESS', `The promotion of company ${live[0]!.company_id} to a PSA client is ${live[0]!.status}; merge after it completes or fails.`);

  const clients = [...new Set(all.flatMap((c) => (c.psa_client_id ? [c.psa_client_id] : [])))];
  if (clients.length > 1) {
    const who = all.filter((c) => c.psa_client_id).map((c) => `${c.id} → PSA client ${c.psa_client_id}`).join(', ');
    throw conflict('COMPANY_MERGE_PSA_CONFLICT', `The companies are linked to different PSA clients (${who}); merging would leave one client without its company. Merge or unlink the clients in the PSA first.`);
  }

  const links = await tx
    .selectFrom('sync_records')
    .select(['connector_id', 'external_id', 'local_id'])
    .where('local_kind', '=', 'company')
    .where('object', '=', 'Account')
    .where('local_id', 'in', ids)
    .where('status', 'in', LIVE_LINK)
    .orderBy('connector_id')
    .orderBy('external_id')
    .execute();
  const byConnector = new Map<string, Set<string>>();
  for (const l of links) byConnector.set(l.connector_id, (byConnector.get(l.connector_id) ?? new Set()).add(l.external_id));
  for (const [connectorId, accounts] of byConnector) {
    if (accounts.size > 1) {
      const who = links.filter((l) => l.connector_id === connectorId).map((l) => `${l.local_id} → account ${l.external_id}`).join(', ');
      throw conflict('COMPANY_MERGE_CRM_CONFLICT', `The companies are linked to different CRM accounts of connector ${connectorId} (${who}); merging would make two accounts write one company. Merge the accounts in the CRM first (the loop then stops the loser with CRM_MERGED).`);
    }
  }
  const seen = new Map<string, { value: string; company: string }>();
  for (const c of all) {
    for (const [system, value] of Object.entries(c.external_ids ?? {})) {
      const earlier = seen.get(system);
      if (earlier && earlier.value !== value) {
        throw conflict('COMPANY_MERGE_CRM_CONFLICT', `Companies ${earlier.company} and ${c.id} hold different ids for "${system}"; merging would make one company two records there.`);
      }
      seen.set(system, { value, company: c.id });
    }
  }
}

/** The primary's fields, with what only the duplicates have: domains and ids unioned, a PSA link (and its customer status) carried. */
function mergedValues(primary: CompanyRow, duplicates: CompanyRow[]) {
  const withClient = primary.psa_client_id ? primary : duplicates.find((d) => d.psa_client_id);
  const externalIds: Record<string, string> = {};
  for (const c of [...duplicates].reverse()) Object.assign(externalIds, c.external_ids ?? {});
  Object.assign(externalIds, primary.external_ids ?? {});
  return {
    domains: [...new Set([...primary.domains, ...duplicates.flatMap((d) => d.domains)])].sort(),
    external_ids: externalIds,
    psa_client_id: withClient?.psa_client_id ?? null,
    status: withClient && withClient !== primary && withClient.status === 'customer' ? withClient.status : primary.status,
    type: primary.type ?? duplicates.find((d) => d.type)?.type ?? null,
  };
}

/** Journals every row of `table` owned by the duplicates, then moves it to the primary; how many. */
async function journalAndMove(tx: Tx, mergeId: string, kind: CompanyMergeMoveKind, table: 'contacts' | 'activities' | 'deals', ref: string, duplicateIds: string[], primaryId: string): Promise<number> {
  await sql`
    insert into company_merge_moves (merge_id, kind, row_ref, from_company_id)
    select ${mergeId}::uuid, ${kind}, ${sql.raw(ref)}, company_id from ${sql.table(table)} where company_id = any(${duplicateIds}::uuid[])`.execute(tx);
  const r = await sql`update ${sql.table(table)} set company_id = ${primaryId}::uuid where company_id = any(${duplicateIds}::uuid[])`.execute(tx);
  return Number(r.numAffectedRows ?? 0);
}

/**
 * One promotion row per company: the primary keeps its own; without one, it takes the first
 * duplicate's (in the order given). Others stay with their tombstone as history (none is live).
 */
async function movePromotion(tx: Tx, mergeId: string, primary: CompanyRow, duplicates: CompanyRow[]): Promise<number> {
  const rows = await tx.selectFrom('promotions').select('company_id').where('company_id', 'in', [primary.id, ...duplicates.map((d) => d.id)]).execute();
  if (rows.some((r) => r.company_id === primary.id)) return 0;
  const from = duplicates.find((d) => rows.some((r) => r.company_id === d.id));
  if (!from) return 0;
  await tx.insertInto('company_merge_moves').values({ merge_id: mergeId, kind: 'promotion', row_ref: from.id, from_company_id: from.id }).execute();
  await tx.updateTable('promotions').set({ company_id: primary.id, updated_at: new Date() }).where('company_id', '=', from.id).execute();
  return 1;
}

/** CRM links (the sync loop's link map) move, so the next cycle updates the primary. */
async function moveCrmLinks(tx: Tx, mergeId: string, duplicateIds: string[], primaryId: string): Promise<number> {
  await sql`
    insert into company_merge_moves (merge_id, kind, row_ref, from_company_id)
    select ${mergeId}::uuid, 'crm_link', connector_id || '|' || object || '|' || external_id, local_id
    from sync_records where local_kind = 'company' and local_id = any(${duplicateIds}::uuid[])`.execute(tx);
  const r = await sql`update sync_records set local_id = ${primaryId}::uuid, updated_at = now() where local_kind = 'company' and local_id = any(${duplicateIds}::uuid[])`.execute(tx);
  return Number(r.numAffectedRows ?? 0);
}

/** Open sync reviews that name a duplicate as a possible match name the primary instead. */
async function moveReviewCandidates(tx: Tx, mergeId: string, duplicateIds: string[], primaryId: string): Promise<number> {
  const rows = await sql<{ id: string; from_id: string }>`
    select r.id, d.id as from_id from sync_review_items r cross join unnest(${duplicateIds}::uuid[]) as d(id)
    where r.status = 'open' and d.id = any(r.candidate_ids)`.execute(tx);
  if (rows.rows.length === 0) return 0;
  for (const r of rows.rows) await tx.insertInto('company_merge_moves').values({ merge_id: mergeId, kind: 'review_item', row_ref: r.id, from_company_id: r.from_id }).execute();
  const ids = [...new Set(rows.rows.map((r) => r.id))];
  await sql`
    update sync_review_items set candidate_ids = array(
      select distinct case when c = any(${duplicateIds}::uuid[]) then ${primaryId}::uuid else c end from unnest(candidate_ids) as c)
    where id = any(${ids}::uuid[])`.execute(tx);
  return ids.length;
}
