import { sql, type Kysely } from 'kysely';

/**
 * CRM sync (issue 10): connectors, per-object cursors, the per-record state that is also the link map
 * (connector, object, external id ↔ local id; written in the same transaction as the local change),
 * earlier snapshots and decisions of each record, the pending queue (change feed entries not applied
 * yet, and records over the cycle cap), cycles, and possible duplicates waiting for a person.
 * Contacts and companies get the CRM's custom fields and (when address sync is on) an address.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table contacts add column custom_fields jsonb not null default '{}', add column address jsonb;
    alter table companies add column custom_fields jsonb not null default '{}', add column address jsonb;

    create table connectors (
      id uuid primary key default gen_random_uuid(),
      -- an array, not IN: a one-value IN is stored as "=" and the vocabulary test reads ANY (ARRAY[…])
      type text not null check (type = any (array['salesforce'])),
      name text not null check (length(name) between 1 and 200),
      status text not null default 'active' check (status in ('active', 'paused', 'auth_failed')),
      -- settings without the client secret (docs/crm-sync.md)
      settings jsonb not null,
      -- the client secret, sealed with SECRETS_KEY (db/secret-box.ts); never returned
      secret text,
      workflow_id text not null,
      last_error_code text,
      last_error_at timestamptz,
      -- the org's Sforce-Limit-Info as last seen
      org_api_used int,
      org_api_limit int,
      org_api_seen_at timestamptz,
      -- the CRM's clock minus ours, from its Date headers: windows are planned on the CRM's clock
      server_clock_skew_ms bigint not null default 0,
      created_by uuid references users (id) on delete set null,
      created_at timestamptz not null default date_trunc('milliseconds', now()),
      updated_at timestamptz not null default now()
    );
    create index connectors_created_idx on connectors (created_at, id);

    create table sync_cursors (
      connector_id uuid not null references connectors (id) on delete cascade,
      object text not null check (object in ('Account', 'Contact', 'Lead')),
      -- Salesforce's own latestDateCovered of each feed: the next window's start
      updated_from timestamptz,
      deleted_from timestamptz,
      -- set: the next cycle reads the whole object (initial load, resync after CURSOR_EXPIRED_RESYNC, or one asked for)
      full_load text check (full_load in ('initial', 'resync', 'requested')),
      -- a running full load: { cycleId, jobId, locator, watermark } so a retried activity resumes
      full_load_state jsonb,
      loaded_at timestamptz,
      updated_at timestamptz not null default now(),
      primary key (connector_id, object)
    );

    create table sync_records (
      connector_id uuid not null references connectors (id) on delete cascade,
      object text not null check (object in ('Account', 'Contact', 'Lead')),
      external_id text not null,
      -- the link: the local company or contact this CRM record syncs with
      local_kind text check (local_kind in ('company', 'contact')),
      local_id uuid,
      status text not null check (status in ('synced', 'skipped', 'frozen', 'stopped', 'review', 'deleted_local')),
      code text,
      -- { outcome, code, checks: [{ rule, pass, code, detail? }], conflicts: [{ field, code }], masterId? }
      decision jsonb not null default '{}',
      -- the CRM record as last read (personal data)
      snapshot jsonb,
      -- local values the sync last wrote, and which side last wrote each field
      applied jsonb not null default '{}',
      field_sources jsonb not null default '{}',
      email_normalized text,
      account_external_id text,
      master_external_id text,
      crm_modstamp timestamptz,
      last_cycle_id uuid,
      -- the last cycle that saw the record in the CRM (a full load's diff finds the rest purged)
      seen_cycle_id uuid,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (connector_id, object, external_id)
    );
    create index sync_records_local_idx on sync_records (local_id) where local_id is not null;
    create index sync_records_email_idx on sync_records (connector_id, email_normalized) where email_normalized is not null;
    create index sync_records_account_idx on sync_records (connector_id, account_external_id) where account_external_id is not null;
    create index sync_records_status_idx on sync_records (connector_id, status, code);

    -- Earlier versions of a record: appended when a cycle replaces its snapshot or decision.
    create table sync_record_versions (
      id bigint generated always as identity primary key,
      connector_id uuid not null references connectors (id) on delete cascade,
      object text not null,
      external_id text not null,
      cycle_id uuid,
      status text not null,
      code text,
      decision jsonb not null,
      snapshot jsonb,
      recorded_at timestamptz not null
    );
    create index sync_record_versions_record_idx on sync_record_versions (connector_id, object, external_id, id);

    create table sync_pending (
      connector_id uuid not null references connectors (id) on delete cascade,
      object text not null check (object in ('Account', 'Contact', 'Lead')),
      external_id text not null,
      op text not null check (op in ('upsert', 'delete', 'reeval')),
      -- 0: linked to an owned local record (applied first), 1: the rest
      priority smallint not null default 1,
      -- QUEUED_OVER_CAP once a cycle passed it over
      code text,
      enqueued_at timestamptz not null default now(),
      primary key (connector_id, object, external_id)
    );
    create index sync_pending_order_idx on sync_pending (connector_id, priority, enqueued_at);

    create table sync_cycles (
      id uuid primary key,
      connector_id uuid not null references connectors (id) on delete cascade,
      kind text not null check (kind in ('initial', 'incremental', 'resync')),
      status text not null default 'running' check (status in ('running', 'completed', 'deferred', 'failed')),
      code text,
      -- millisecond precision, so keyset cursors round-trip through JavaScript dates
      started_at timestamptz not null default date_trunc('milliseconds', now()),
      ended_at timestamptz,
      deferred_until timestamptz,
      records_read int not null default 0,
      records_applied int not null default 0,
      records_skipped int not null default 0,
      -- { CODE: count } of the decisions this cycle made
      codes jsonb not null default '{}',
      api_calls int not null default 0,
      budget_allowance int,
      budget_left int,
      -- [{ code, errorCode?, count, records: [externalId] }]
      errors jsonb not null default '[]'
    );
    create index sync_cycles_connector_idx on sync_cycles (connector_id, started_at desc, id);

    create table sync_review_items (
      id uuid primary key default gen_random_uuid(),
      connector_id uuid not null references connectors (id) on delete cascade,
      object text not null check (object in ('Account', 'Contact', 'Lead')),
      external_id text not null,
      candidate_ids uuid[] not null,
      status text not null default 'open' check (status in ('open', 'linked', 'created')),
      resolved_local_id uuid,
      resolved_by text,
      created_at timestamptz not null default date_trunc('milliseconds', now()),
      resolved_at timestamptz
    );
    create unique index sync_review_items_open_idx on sync_review_items (connector_id, object, external_id) where status = 'open';
    create index sync_review_items_connector_idx on sync_review_items (connector_id, created_at, id);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table sync_review_items, sync_cycles, sync_pending, sync_record_versions, sync_records, sync_cursors, connectors;
    alter table companies drop column address, drop column custom_fields;
    alter table contacts drop column address, drop column custom_fields;
  `.execute(db);
}
