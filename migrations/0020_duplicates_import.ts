import { sql, type Kysely } from 'kysely';

/**
 * Duplicates, merge and CSV import (issue 12): contact tombstones, duplicate scans and candidate pairs,
 * the merge journal, and imports with their staged rows and per-row errors. Frozen once landed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Ships with PostgreSQL (contrib); trusted, so the database owner may create it.
    create extension if not exists unaccent;

    -- The blocking key of the duplicate scan: the full name with case, accents and punctuation folded.
    -- unaccent() is only stable (its dictionary could change), hence the explicit dictionary.
    create function dedup_name_key(first_name text, last_name text) returns text
      language sql immutable parallel safe
      as $$ select btrim(regexp_replace(lower(public.unaccent('public.unaccent'::regdictionary, coalesce(first_name, '') || ' ' || coalesce(last_name, ''))), '[^[:alnum:]]+', ' ', 'g')) $$;

    -- A merged duplicate stays as a tombstone pointing at its primary (GET answers with mergedInto);
    -- its personal fields move to the merge's snapshot, so the tombstone is inert everywhere.
    alter table contacts add column merged_into uuid references contacts (id) on delete set null;
    alter table contacts add column merged_at timestamptz;
    create index contacts_merged_into_idx on contacts (merged_into) where merged_into is not null;

    create table dedup_scans (
      id uuid primary key default gen_random_uuid(),
      status text not null default 'running' check (status in ('running', 'completed', 'failed')),
      trigger text not null check (trigger in ('api', 'schedule')),
      requested_by uuid,
      contacts_scanned int not null default 0,
      comparisons bigint not null default 0,
      pairs_found int not null default 0,
      pairs_new int not null default 0,
      code text,
      workflow_id text,
      created_at timestamptz not null default date_trunc('milliseconds', now()),
      updated_at timestamptz not null default now(),
      finished_at timestamptz
    );
    -- One scan at a time.
    create unique index dedup_scans_one_running_idx on dedup_scans ((true)) where status = 'running';

    create table duplicate_pairs (
      id uuid primary key default gen_random_uuid(),
      contact_a uuid not null references contacts (id) on delete cascade,
      contact_b uuid not null references contacts (id) on delete cascade,
      reasons text[] not null,
      score real not null,
      name_distance int,
      status text not null default 'open' check (status in ('open', 'dismissed', 'merged')),
      -- The smallest contact id of the connected component of open pairs: pairs form clusters.
      cluster_id uuid,
      last_scan_id uuid,
      dismissed_by uuid,
      dismissed_at timestamptz,
      created_at timestamptz not null default date_trunc('milliseconds', now()),
      updated_at timestamptz not null default now(),
      check (contact_a < contact_b),
      unique (contact_a, contact_b)
    );
    create index duplicate_pairs_cluster_idx on duplicate_pairs (cluster_id) where status = 'open';
    create index duplicate_pairs_b_idx on duplicate_pairs (contact_b);

    create table contact_merges (
      id uuid primary key default gen_random_uuid(),
      primary_id uuid not null references contacts (id) on delete cascade,
      duplicate_ids uuid[] not null,
      -- { <field>: <contactId> } chosen by the caller
      fields jsonb not null default '{}',
      status text not null default 'running' check (status in ('running', 'completed', 'refused', 'failed', 'undone')),
      code text,
      message text,
      -- The merged contacts as they were (personal data: cleared once the undo window has passed).
      snapshot jsonb,
      -- Counts and ids of what moved (no personal data).
      result jsonb,
      requested_by uuid,
      workflow_id text not null,
      created_at timestamptz not null default date_trunc('milliseconds', now()),
      completed_at timestamptz,
      undo_until timestamptz,
      undone_at timestamptz,
      undone_by uuid
    );
    create unique index contact_merges_one_running_idx on contact_merges (primary_id) where status = 'running';

    -- Every row a merge moved, so an undo moves exactly those back.
    create table contact_merge_moves (
      merge_id uuid not null references contact_merges (id) on delete cascade,
      kind text not null check (kind in ('activity', 'enrollment', 'suppression')),
      row_ref text not null,
      from_contact_id uuid not null,
      primary key (merge_id, kind, row_ref)
    );

    create table imports (
      id uuid primary key default gen_random_uuid(),
      status text not null default 'uploading' check (status in ('uploading', 'queued', 'running', 'completed', 'cancelling', 'cancelled', 'failed')),
      dry_run boolean not null default false,
      on_existing text not null check (on_existing in ('update', 'skip')),
      -- field -> header name; headers nothing reads
      mapping jsonb not null default '{}',
      ignored_columns jsonb not null default '[]',
      encoding text,
      delimiter text,
      bytes bigint not null default 0,
      total_rows int not null default 0,
      -- The last row applied: batches commit it with their rows, so a retried batch never applies a row twice.
      applied_through int not null default 1,
      processed int not null default 0,
      created int not null default 0,
      updated int not null default 0,
      unchanged int not null default 0,
      skipped int not null default 0,
      failed int not null default 0,
      code text,
      message text,
      requested_by uuid,
      requested_role text,
      workflow_id text,
      created_at timestamptz not null default date_trunc('milliseconds', now()),
      started_at timestamptz,
      finished_at timestamptz,
      updated_at timestamptz not null default now()
    );

    -- The upload, staged with COPY. Unlogged: a transient copy of the file, written once and read once;
    -- after a database crash it is empty and the import fails with IMPORT_STAGING_LOST (upload again).
    create unlogged table import_rows (
      import_id uuid not null,
      row_no int not null,
      email text,
      email_normalized text,
      first_name text,
      last_name text,
      company_id text,
      company_name text,
      time_zone text,
      consent text,
      status text,
      -- The first row of the file with the same address (IMPORT_DUPLICATE_EMAIL), set before applying.
      duplicate_of int,
      primary key (import_id, row_no)
    );

    create table import_errors (
      id bigint generated always as identity primary key,
      import_id uuid not null references imports (id) on delete cascade,
      row_no int not null,
      field text,
      code text not null,
      message text not null,
      other_row int
    );
    create index import_errors_import_idx on import_errors (import_id, row_no, id);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table import_errors, import_rows, imports, contact_merge_moves, contact_merges, duplicate_pairs, dedup_scans;
    alter table contacts drop column merged_at, drop column merged_into;
    drop function dedup_name_key(text, text);
  `.execute(db);
}
