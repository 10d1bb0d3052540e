/**
 * The local side of MATCH_CRM_DOMAIN, written exactly as the sync loop writes it
 * (services/sync/apply-records.ts): the company's values come from the sync's own field plan
 * (domain/sync/local-plan.ts: name, type, ALL the account's domains, address and custom fields under
 * the connector's settings), and the link is the loop's link map row in `sync_records` (status
 * synced, the snapshot as the loop reads it, what was applied and which side wrote each field, the
 * decision with its rule checks; an earlier state of the record goes to sync_record_versions). The
 * next cycle therefore finds the account linked and updates that company instead of creating another.
 * Runs inside the resolve transaction.
 */
import { sql } from 'kysely';
import { recordActivity } from '../../db/activity-log';
import type { Tx } from '../../db/lock-order';
import { planLocalWrite } from '../../domain/sync/local-plan';
import type { SyncDecision } from '../../domain/sync/rules';
import type { SyncSettings } from '../../domain/sync/settings';
import { text, type CrmSnapshot } from '../../domain/sync/snapshot';
import { columnsOf, companyValues } from '../sync/local-columns';

export interface CrmCompanyLinkInput {
  connectorId: string;
  settings: SyncSettings;
  snapshot: CrmSnapshot;
  /** The rule checks decideInbound reported for the account. */
  decision: Pick<SyncDecision, 'checks'>;
  /** link: this existing company is adopted; create: a new company. */
  action: { kind: 'create' } | { kind: 'link'; companyId: string };
  /** Activity-log actor (user:<id>). */
  actor: string;
}

export interface CrmCompanyLinkResult {
  companyId: string;
  /** Domains the company did not list before. */
  domainsAdded: string[];
  fieldsWritten: string[];
}

export async function writeCrmCompanyLink(tx: Tx, input: CrmCompanyLinkInput): Promise<CrmCompanyLinkResult> {
  const { connectorId: C, snapshot: s, settings } = input;
  let companyId: string;
  let before: string[] = [];
  let plan;
  if (input.action.kind === 'create') {
    plan = planLocalWrite({ object: 'Account', snapshot: s, settings, current: {}, applied: {}, sources: {}, companyId: null, creating: true });
    const cols = columnsOf('company', plan.set, {});
    const row = await tx
      .insertInto('companies')
      .values({ name: (cols.name as string | undefined) ?? '(no name in the CRM)', domains: (cols.domains as string[] | undefined) ?? [], type: (cols.type as string | null | undefined) ?? null, address: (cols.address as string | null | undefined) ?? null, custom_fields: (cols.custom_fields as string | undefined) ?? '{}', external_ids: '{}' })
      .returning('id')
      .executeTakeFirstOrThrow();
    companyId = row.id;
    await recordActivity(tx, { companyId, type: 'company_created', data: { via: 'people_resolve', branch: 'MATCH_CRM_DOMAIN', connectorId: C, externalId: s.Id }, actor: input.actor });
  } else {
    companyId = input.action.companyId;
    const current = await tx.selectFrom('companies').select(['name', 'domains', 'type', 'address', 'custom_fields']).where('id', '=', companyId).executeTakeFirstOrThrow();
    before = current.domains;
    plan = planLocalWrite({ object: 'Account', snapshot: s, settings, current: companyValues(current), applied: {}, sources: {}, companyId: null, creating: false });
    const cols = columnsOf('company', plan.set, current.custom_fields ?? {});
    if (Object.keys(cols).length > 0) await tx.updateTable('companies').set({ ...cols, updated_at: new Date() }).where('id', '=', companyId).execute();
  }
  const domainsAfter = (plan.applied.domains as string[] | undefined) ?? [];
  const domainsAdded = domainsAfter.filter((d) => !before.includes(d));

  // The link map row, as the loop writes it; an earlier state (e.g. skipped SCOPE_LINKED_ONLY) becomes a version.
  await sql`
    insert into sync_record_versions (connector_id, object, external_id, cycle_id, status, code, decision, snapshot, recorded_at)
    select connector_id, object, external_id, last_cycle_id, status, code, decision, snapshot, updated_at
    from sync_records where connector_id = ${C} and object = 'Account' and external_id = ${s.Id}`.execute(tx);
  const outcome = input.action.kind === 'create' ? 'create' : 'link';
  const decision = { outcome, code: null, checks: input.decision.checks, conflicts: [], via: 'people_resolve' };
  await sql`
    insert into sync_records as r (connector_id, object, external_id, local_kind, local_id, status, code, decision, snapshot, applied, field_sources, crm_modstamp, created_at, updated_at)
    values (${C}::uuid, 'Account', ${s.Id}, 'company', ${companyId}::uuid, 'synced', null, ${JSON.stringify(decision)}::jsonb, ${JSON.stringify(s)}::jsonb,
      ${JSON.stringify(plan.applied)}::jsonb, ${JSON.stringify(plan.sources)}::jsonb, ${text(s, 'SystemModstamp')}::timestamptz, now(), now())
    on conflict (connector_id, object, external_id) do update set
      local_kind = excluded.local_kind, local_id = excluded.local_id, status = excluded.status, code = excluded.code, decision = excluded.decision,
      snapshot = excluded.snapshot, applied = excluded.applied, field_sources = excluded.field_sources,
      crm_modstamp = coalesce(excluded.crm_modstamp, r.crm_modstamp), updated_at = now()`.execute(tx);
  // A review the loop opened for this account (POSSIBLE_DUPLICATE) is settled by this link.
  await tx
    .updateTable('sync_review_items')
    .set({ status: outcome === 'create' ? 'created' : 'linked', resolved_local_id: companyId, resolved_by: input.actor, resolved_at: new Date() })
    .where('connector_id', '=', C)
    .where('object', '=', 'Account')
    .where('external_id', '=', s.Id)
    .where('status', '=', 'open')
    .execute();
  await recordActivity(tx, { companyId, type: outcome === 'create' ? 'crm_sync_created' : 'crm_sync_linked', data: { connectorId: C, object: 'Account', externalId: s.Id, via: 'people_resolve', fields: Object.keys(plan.set) }, actor: input.actor });
  return { companyId, domainsAdded, fieldsWritten: Object.keys(plan.set) };
}
