/**
 * GET /v1/companies/duplicates: live companies that look like one organisation — sharing an email
 * domain, a CRM account (two connectors linking one account to two companies), or an id in another
 * system — each group with its companies, to merge with POST /v1/companies/:id/merge. Tombstones
 * are never listed. Keyset-paginated on (reason, key).
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database';
import { cursorPart, decodeCursor, encodeCursor, type Page } from '../../db/pagination';

export const DUPLICATE_COMPANY_REASONS = ['shared_crm_account', 'shared_domain', 'shared_external_id'] as const;
export type DuplicateCompanyReason = (typeof DUPLICATE_COMPANY_REASONS)[number];

export interface DuplicateCompanyGroup {
  reason: DuplicateCompanyReason;
  /** The shared domain, the CRM account's id, or `system=id`. */
  key: string;
  companies: Array<{ id: string; name: string; domains: string[]; psaClientId: string | null }>;
}

export async function listDuplicateCompanies(db: Db, q: { limit: number; cursor?: string }): Promise<Page<DuplicateCompanyGroup>> {
  const after = decodeCursor(q.cursor, [(v) => (DUPLICATE_COMPANY_REASONS as readonly string[]).includes(v), cursorPart.any]);
  const groups = await sql<{ reason: DuplicateCompanyReason; key: string; ids: string[] }>`
    with groups as (
      select 'shared_domain' as reason, d as key, array_agg(c.id order by c.created_at, c.id) as ids
      from companies c cross join unnest(c.domains) as d
      where c.merged_into is null group by d having count(*) > 1
      union all
      select 'shared_crm_account', r.external_id, array_agg(distinct r.local_id)
      from sync_records r join companies c on c.id = r.local_id and c.merged_into is null
      where r.object = 'Account' and r.local_kind = 'company' and r.status in ('synced', 'frozen', 'review')
      group by r.external_id having count(distinct r.local_id) > 1
      union all
      select 'shared_external_id', e.key || '=' || e.value, array_agg(c.id order by c.created_at, c.id)
      from companies c cross join jsonb_each_text(c.external_ids) as e
      where c.merged_into is null group by e.key, e.value having count(*) > 1
    )
    select reason, key, ids from groups
    ${after ? sql`where (reason, key) > (${after[0]!}, ${after[1]!})` : sql``}
    order by reason, key
    limit ${q.limit + 1}`.execute(db);
  const rows = groups.rows.slice(0, q.limit);
  const ids = [...new Set(rows.flatMap((g) => g.ids))];
  const companies = ids.length > 0 ? await db.selectFrom('companies').select(['id', 'name', 'domains', 'psa_client_id']).where('id', 'in', ids).execute() : [];
  const byId = new Map(companies.map((c) => [c.id, { id: c.id, name: c.name, domains: c.domains, psaClientId: c.psa_client_id }]));
  const last = rows[rows.length - 1];
  return {
    rows: rows.map((g) => ({ reason: g.reason, key: g.key, companies: g.ids.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : [])) })),
    nextCursor: groups.rows.length > q.limit && last ? encodeCursor([last.reason, last.key]) : null,
  };
}
