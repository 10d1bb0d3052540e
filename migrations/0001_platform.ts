import { sql, type Kysely } from 'kysely';

/** Platform: companies, contacts, users, API keys, activity log, audit log. Frozen once landed. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table users (
      id uuid primary key default gen_random_uuid(),
      name text not null,
      role text not null check (role in ('rep', 'admin', 'compliance', 'operator')),
      created_at timestamptz not null default now(),
      disabled_at timestamptz
    );

    create table api_keys (
      id uuid primary key default gen_random_uuid(),
      user_id uuid not null references users (id) on delete cascade,
      name text not null,
      prefix text not null unique,
      key_hash text not null,
      created_at timestamptz not null default now(),
      last_used_at timestamptz,
      revoked_at timestamptz
    );

    create table companies (
      id uuid primary key default gen_random_uuid(),
      name text not null check (length(name) between 1 and 200),
      domains text[] not null default '{}',
      status text not null default 'prospect' check (status in ('prospect', 'active', 'customer', 'inactive')),
      type text,
      psa_client_id text unique,
      external_ids jsonb not null default '{}',
      -- millisecond precision, so keyset cursors round-trip through JavaScript dates
      created_at timestamptz not null default date_trunc('milliseconds', now()),
      updated_at timestamptz not null default now()
    );
    create index companies_created_idx on companies (created_at, id);
    create index companies_domains_idx on companies using gin (domains);

    -- email is not unique: real CRMs hold duplicates (found later by deduplication).
    create table contacts (
      id uuid primary key default gen_random_uuid(),
      email text,
      email_normalized text,
      first_name text,
      last_name text,
      company_id uuid references companies (id) on delete set null,
      status text not null default 'active' check (status in ('active', 'inactive', 'bounced', 'unsubscribed')),
      consent text not null default 'unknown' check (consent in ('opted_in', 'opted_out', 'unknown')),
      time_zone text,
      owner_id uuid references users (id) on delete set null,
      external_ids jsonb not null default '{}',
      -- millisecond precision, so keyset cursors round-trip through JavaScript dates
      created_at timestamptz not null default date_trunc('milliseconds', now()),
      updated_at timestamptz not null default now(),
      check ((email is null) = (email_normalized is null))
    );
    create index contacts_email_normalized_idx on contacts (email_normalized);
    create index contacts_company_idx on contacts (company_id);
    create index contacts_created_idx on contacts (created_at, id);

    -- Append-only by convention: rows are only inserted. No foreign keys, so the log outlives deletions.
    create table activities (
      id bigint generated always as identity primary key,
      contact_id uuid,
      company_id uuid,
      type text not null,
      reason_code text,
      data jsonb not null default '{}',
      actor text not null,
      dedupe_key text unique,
      occurred_at timestamptz not null default now()
    );
    create index activities_contact_idx on activities (contact_id, id);
    create index activities_company_idx on activities (company_id, id);

    -- Who did what through the API; never request bodies.
    create table audit_log (
      id bigint generated always as identity primary key,
      request_id text not null,
      user_id uuid,
      api_key_id uuid,
      role text,
      method text not null,
      route text not null,
      status_code int not null,
      entity_type text,
      entity_id text,
      occurred_at timestamptz not null default now()
    );
    create index audit_log_occurred_idx on audit_log (occurred_at, id);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table audit_log, activities, contacts, companies, api_keys, users`.execute(db);
}
