import { sql, type Kysely } from 'kysely';

/**
 * Company merge (issue 11): a merged duplicate stays as a tombstone pointing at its primary
 * (`merged_into`; excluded from lists, refused on change), and every merge is journalled row by row
 * (what moved from which company), like contact merges. Frozen once landed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table companies
      add column merged_into uuid references companies (id) on delete cascade,
      add column merged_at timestamptz;
    create index companies_merged_into_idx on companies (merged_into) where merged_into is not null;

    create table company_merges (
      id uuid primary key default gen_random_uuid(),
      primary_id uuid not null references companies (id) on delete cascade,
      duplicate_ids uuid[] not null,
      -- counts, moved ids of links and changed field names: { contacts, activities, deals, … }
      result jsonb not null default '{}',
      -- user:<id>
      merged_by text not null,
      created_at timestamptz not null default date_trunc('milliseconds', now())
    );
    create index company_merges_primary_idx on company_merges (primary_id, created_at);

    create table company_merge_moves (
      id bigint generated always as identity primary key,
      merge_id uuid not null references company_merges (id) on delete cascade,
      kind text not null check (kind in ('contact', 'activity', 'deal', 'promotion', 'crm_link', 'review_item')),
      -- the moved row's key: an id, or connector|object|external id for a CRM link
      row_ref text not null,
      from_company_id uuid not null
    );
    create index company_merge_moves_merge_idx on company_merge_moves (merge_id, kind);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table company_merge_moves, company_merges;
    alter table companies drop column merged_at, drop column merged_into;
  `.execute(db);
}
