import { sql, type Kysely } from 'kysely';

/**
 * CRM sync, part 2 (issue 11): the outbound queue (local changes per connector, filled by triggers in
 * the transaction that makes the change), the log of what was pushed to the CRM, replays (a past
 * window re-applied from stored snapshots, as a cycle of kind `replay`) and the cycle counters of the
 * push. Triggers skip the connector whose own inbound apply made the change (`crm_workflows.sync_origin`,
 * set for the transaction), so a CRM value written locally is not queued back to the same CRM.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table sync_cycles drop constraint sync_cycles_kind_check;
    alter table sync_cycles add constraint sync_cycles_kind_check check (kind in ('initial', 'incremental', 'resync', 'replay'));
    alter table sync_cycles
      add column outbound_read int not null default 0,
      add column outbound_pushed int not null default 0,
      add column outbound_failed int not null default 0;

    create sequence sync_outbound_change_seq;

    -- What a connector must push (state queued), could not push yet (parked: a rule said no, with its
    -- code), or gave up on after repeated CRM refusals (failed: until the record changes again).
    create table sync_outbound (
      connector_id uuid not null references connectors (id) on delete cascade,
      local_kind text not null check (local_kind in ('company', 'contact', 'activity')),
      -- a company or contact uuid, or an activity id
      local_id text not null,
      -- the contact of a contact or activity entry (erasure deletes the subject's entries by it)
      contact_id uuid,
      state text not null default 'queued' check (state in ('queued', 'parked', 'failed')),
      -- 0: an owned contact (pushed first), 1: the rest
      priority smallint not null default 1,
      code text,
      -- Salesforce's errorCode of the last refused write
      error_code text,
      attempts int not null default 0,
      -- { outcome, code, checks: [{ rule, pass, code, detail? }], fields? } (ids, codes, field names)
      decision jsonb not null default '{}',
      last_cycle_id uuid,
      -- bumped whenever the record changes again: a push only settles the entry it read
      change_seq bigint not null default nextval('sync_outbound_change_seq'),
      enqueued_at timestamptz not null default now(),
      decided_at timestamptz,
      primary key (connector_id, local_kind, local_id)
    );
    create index sync_outbound_queue_idx on sync_outbound (connector_id, state, local_kind, priority, enqueued_at);
    create index sync_outbound_code_idx on sync_outbound (connector_id, code) where code is not null;
    create index sync_outbound_contact_idx on sync_outbound (contact_id) where contact_id is not null;

    -- Every write the connector made to the CRM (the record's history shows them beside its snapshots).
    create table sync_record_pushes (
      id bigint generated always as identity primary key,
      connector_id uuid not null references connectors (id) on delete cascade,
      object text not null check (object in ('Account', 'Contact', 'Lead', 'Task')),
      -- null when a create was refused
      external_id text,
      local_kind text not null check (local_kind in ('company', 'contact', 'activity')),
      local_id text not null,
      cycle_id uuid,
      outcome text not null check (outcome in ('created', 'updated', 'failed')),
      code text,
      error_code text,
      -- field names only
      fields text[] not null default '{}',
      pushed_at timestamptz not null default now()
    );
    create index sync_record_pushes_record_idx on sync_record_pushes (connector_id, external_id, id) where external_id is not null;
    create index sync_record_pushes_local_idx on sync_record_pushes (connector_id, local_kind, local_id);
    create index sync_record_pushes_at_idx on sync_record_pushes (pushed_at);
    create index sync_record_versions_recorded_idx on sync_record_versions (recorded_at);

    create table sync_replays (
      id uuid primary key default gen_random_uuid(),
      connector_id uuid not null references connectors (id) on delete cascade,
      from_at timestamptz not null,
      to_at timestamptz not null,
      status text not null default 'queued' check (status in ('queued', 'running', 'completed', 'failed')),
      cycle_id uuid,
      records int not null default 0,
      requested_by text,
      created_at timestamptz not null default date_trunc('milliseconds', now()),
      ended_at timestamptz,
      check (from_at < to_at)
    );
    create index sync_replays_connector_idx on sync_replays (connector_id, created_at, id);
    create unique index sync_replays_running_idx on sync_replays (connector_id) where status = 'running';

    -- The records a running replay still has to re-apply (removed as each batch commits).
    create table sync_replay_items (
      replay_id uuid not null references sync_replays (id) on delete cascade,
      object text not null check (object in ('Account', 'Contact', 'Lead')),
      external_id text not null,
      primary key (replay_id, object, external_id)
    );

    -- Connectors that push, except the one whose inbound apply runs in this transaction. A paused
    -- connector still queues: it pushes when resumed.
    create function sync_outbound_targets() returns table (id uuid) language sql stable as $fn$
      select c.id from connectors c
      where coalesce((c.settings ->> 'outbound')::boolean, false)
        and c.id::text is distinct from nullif(current_setting('crm_workflows.sync_origin', true), '')
    $fn$;

    -- Contacts of \`rows\` (id, owner) into the queue of every pushing connector; a subject under erasure
    -- is never queued (its stub is updated on the way out).
    create function sync_outbound_queue_contacts(ids uuid[], owners uuid[]) returns void language sql as $fn$
      insert into sync_outbound as o (connector_id, local_kind, local_id, contact_id, priority)
      select t.id, 'contact', x.id::text, x.id, case when x.owner_id is null then 1 else 0 end
      from unnest(ids, owners) as x(id, owner_id)
      cross join sync_outbound_targets() t
      where x.id not in (select unnest(r.contact_ids) from erasure_requests r where r.contact_ids is not null)
      on conflict (connector_id, local_kind, local_id) do update set
        state = 'queued', code = null, error_code = null, attempts = 0, change_seq = nextval('sync_outbound_change_seq'),
        priority = least(o.priority, excluded.priority),
        enqueued_at = case when o.state = 'queued' then o.enqueued_at else now() end
    $fn$;

    create function sync_outbound_contacts_inserted() returns trigger language plpgsql as $fn$
    begin
      if exists (select 1 from sync_outbound_targets()) then
        perform sync_outbound_queue_contacts(array_agg(n.id), array_agg(n.owner_id)) from new_rows n where n.merged_into is null having count(*) > 0;
      end if;
      return null;
    end $fn$;

    -- Only changes of what the CRM sees (a hash join: statements can change many rows at once).
    create function sync_outbound_contacts_updated() returns trigger language plpgsql as $fn$
    begin
      if exists (select 1 from sync_outbound_targets()) then
        perform sync_outbound_queue_contacts(array_agg(n.id), array_agg(n.owner_id))
        from new_rows n join old_rows p on p.id = n.id
        where n.merged_into is null
          and (p.email, p.first_name, p.last_name, p.company_id, p.consent, p.status, p.owner_id, p.custom_fields, p.address)
              is distinct from (n.email, n.first_name, n.last_name, n.company_id, n.consent, n.status, n.owner_id, n.custom_fields, n.address)
        having count(*) > 0;
      end if;
      return null;
    end $fn$;

    create function sync_outbound_queue_companies(ids uuid[]) returns void language sql as $fn$
      insert into sync_outbound as o (connector_id, local_kind, local_id)
      select t.id, 'company', x.id::text
      from unnest(ids) as x(id)
      cross join sync_outbound_targets() t
      on conflict (connector_id, local_kind, local_id) do update set
        state = 'queued', code = null, error_code = null, attempts = 0, change_seq = nextval('sync_outbound_change_seq'),
        enqueued_at = case when o.state = 'queued' then o.enqueued_at else now() end
    $fn$;

    create function sync_outbound_companies_inserted() returns trigger language plpgsql as $fn$
    begin
      if exists (select 1 from sync_outbound_targets()) then
        perform sync_outbound_queue_companies(array_agg(n.id)) from new_rows n having count(*) > 0;
      end if;
      return null;
    end $fn$;

    create function sync_outbound_companies_updated() returns trigger language plpgsql as $fn$
    begin
      if exists (select 1 from sync_outbound_targets()) then
        perform sync_outbound_queue_companies(array_agg(n.id))
        from new_rows n join old_rows p on p.id = n.id
        where (p.name, p.type, p.domains, p.custom_fields, p.address) is distinct from (n.name, n.type, n.domains, n.custom_fields, n.address)
        having count(*) > 0;
      end if;
      return null;
    end $fn$;

    -- Email activity the CRM shows on the person (as a completed Task).
    create function sync_outbound_activities_inserted() returns trigger language plpgsql as $fn$
    begin
      if exists (select 1 from sync_outbound_targets()) then
        insert into sync_outbound (connector_id, local_kind, local_id, contact_id, priority)
        select t.id, 'activity', n.id::text, n.contact_id, case when c.owner_id is null then 1 else 0 end
        from new_rows n
        join contacts c on c.id = n.contact_id
        cross join sync_outbound_targets() t
        where n.type in ('email_sent', 'email_opened', 'replied', 'unsubscribed')
        on conflict do nothing;
      end if;
      return null;
    end $fn$;

    create function sync_outbound_forget_contacts() returns trigger language plpgsql as $fn$
    begin
      delete from sync_outbound o using old_rows p where o.contact_id = p.id;
      return null;
    end $fn$;

    create function sync_outbound_forget_companies() returns trigger language plpgsql as $fn$
    begin
      delete from sync_outbound o using old_rows p where o.local_kind = 'company' and o.local_id = p.id::text;
      return null;
    end $fn$;

    create trigger contacts_sync_outbound_insert after insert on contacts referencing new table as new_rows for each statement execute function sync_outbound_contacts_inserted();
    create trigger contacts_sync_outbound_update after update on contacts referencing old table as old_rows new table as new_rows for each statement execute function sync_outbound_contacts_updated();
    create trigger contacts_sync_outbound_delete after delete on contacts referencing old table as old_rows for each statement execute function sync_outbound_forget_contacts();
    create trigger companies_sync_outbound_insert after insert on companies referencing new table as new_rows for each statement execute function sync_outbound_companies_inserted();
    create trigger companies_sync_outbound_update after update on companies referencing old table as old_rows new table as new_rows for each statement execute function sync_outbound_companies_updated();
    create trigger companies_sync_outbound_delete after delete on companies referencing old table as old_rows for each statement execute function sync_outbound_forget_companies();
    create trigger activities_sync_outbound_insert after insert on activities referencing new table as new_rows for each statement execute function sync_outbound_activities_inserted();
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop trigger activities_sync_outbound_insert on activities;
    drop trigger companies_sync_outbound_delete on companies;
    drop trigger companies_sync_outbound_update on companies;
    drop trigger companies_sync_outbound_insert on companies;
    drop trigger contacts_sync_outbound_delete on contacts;
    drop trigger contacts_sync_outbound_update on contacts;
    drop trigger contacts_sync_outbound_insert on contacts;
    drop function sync_outbound_forget_companies, sync_outbound_forget_contacts, sync_outbound_activities_inserted,
      sync_outbound_companies_updated, sync_outbound_companies_inserted, sync_outbound_queue_companies,
      sync_outbound_contacts_updated, sync_outbound_contacts_inserted, sync_outbound_queue_contacts, sync_outbound_targets;
    drop table sync_replay_items, sync_replays, sync_record_pushes, sync_outbound;
    drop sequence sync_outbound_change_seq;
    drop index sync_record_versions_recorded_idx;
    alter table sync_cycles drop column outbound_failed, drop column outbound_pushed, drop column outbound_read;
    delete from sync_cycles where kind = 'replay';
    alter table sync_cycles drop constraint sync_cycles_kind_check;
    alter table sync_cycles add constraint sync_cycles_kind_check check (kind in ('initial', 'incremental', 'resync'));
  `.execute(db);
}
