/**
 * The facts the matching decision reads, looked up inside the resolve transaction after its locks
 * (so a concurrent resolve of a colleague's address sees the company this one created). Merged
 * companies (tombstones) never match; a link to one is followed to its primary.
 */
import { sql } from 'kysely';
import type { Tx } from '../../db/lock-order';
import type { CrmAccountCandidate, CrmLookup } from '../../domain/matching/decide';
import { decideInbound, type SyncDecision } from '../../domain/sync/rules';
import type { CrmAccountsFound, FoundAccount } from './crm-accounts';

/** Keys of pg_advisory_xact_lock: the address and every domain the resolve may create a company for. */
export async function lockMatchKeys(tx: Tx, keys: string[]): Promise<void> {
  // Always in one order, all at the start of the transaction: two resolves cannot deadlock.
  for (const key of [...new Set(keys)].sort()) await sql`select pg_advisory_xact_lock(hashtextextended(${`people-resolve:${key}`}, 0))`.execute(tx);
}

export async function contactByEmail(tx: Tx, emailNormalized: string): Promise<{ id: string; companyId: string | null } | null> {
  const row = await tx
    .selectFrom('contacts')
    .select(['id', 'company_id'])
    .where('email_normalized', '=', emailNormalized)
    .where('merged_into', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .executeTakeFirst();
  return row ? { id: row.id, companyId: row.company_id } : null;
}

/** Live companies listing `domain`, oldest first. */
export async function companiesListing(tx: Tx, domain: string): Promise<string[]> {
  const rows = await tx
    .selectFrom('companies')
    .select('id')
    .where('domains', '@>', sql<string[]>`array[${domain}]::text[]`)
    .where('merged_into', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

/** The live company behind `id` (a tombstone is followed to its primary), or null when gone. */
export async function liveCompany(tx: Tx, id: string | null): Promise<string | null> {
  let cur = id;
  for (let i = 0; cur && i < 5; i++) {
    const row = await tx.selectFrom('companies').select(['id', 'merged_into']).where('id', '=', cur).executeTakeFirst();
    if (!row) return null;
    if (!row.merged_into) return row.id;
    cur = row.merged_into;
  }
  return null;
}

/** Each found account with its link, the sync rules' verdict, and local companies holding its domains. */
export async function crmCandidates(tx: Tx, found: CrmAccountsFound): Promise<{ lookup: CrmLookup; byKey: Map<string, { account: FoundAccount; decision: SyncDecision }> }> {
  if (found.connectors === 0) return { lookup: { kind: 'no_connector' }, byKey: new Map() };
  const candidates: CrmAccountCandidate[] = [];
  const byKey = new Map<string, { account: FoundAccount; decision: SyncDecision }>();
  for (const account of found.accounts) {
    const C = account.connector.row.id;
    const link = await tx.selectFrom('sync_records').select(['local_id', 'status']).where('connector_id', '=', C).where('object', '=', 'Account').where('external_id', '=', account.snapshot.Id).executeTakeFirst();
    const linkedCompanyId = link?.local_id && link.status !== 'stopped' && link.status !== 'skipped' ? await liveCompany(tx, link.local_id) : null;
    // Created on activity whatever the connector's scope (that is what lazy creation means), and on
    // purpose: a lookalike is linked below instead of queued for review.
    const settings = { ...account.connector.settings, scope: 'all' as const, detectDuplicatesOnCreate: false };
    const decision = decideInbound({
      object: 'Account', snapshot: account.snapshot, settings, linkedLocalId: linkedCompanyId, account: null, erased: false,
      sameEmailSameObject: [], contactHasEmail: false, emailMatches: [], lookalikes: [],
    });
    const sharing = await tx
      .selectFrom('companies as c')
      .select('c.id')
      .where('c.merged_into', 'is', null)
      .where(sql<boolean>`c.domains && ${account.domains}::text[]`)
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('sync_records as l').select('l.local_id').whereRef('l.local_id', '=', 'c.id').where('l.connector_id', '=', C).where('l.object', '=', 'Account').where('l.status', 'in', ['synced', 'frozen', 'review']).where('l.external_id', '!=', account.snapshot.Id))),
      )
      .orderBy('c.created_at')
      .orderBy('c.id')
      .execute();
    candidates.push({ connectorId: C, externalId: account.snapshot.Id, domains: account.domains, decision, linkedCompanyId, companiesSharingDomains: sharing.map((r) => r.id) });
    byKey.set(`${C}|${account.snapshot.Id}`, { account, decision });
  }
  return { lookup: { kind: 'searched', connectors: found.connectors, candidates }, byKey };
}
