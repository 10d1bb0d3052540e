import { sql, type Kysely } from 'kysely';

/**
 * Deals, pipelines, stage history, deal automation (rules, firings, tasks), users' managers and the
 * activity log's deal column. Money is `numeric` (exact); amounts are never floats. Frozen once landed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table users add column manager_id uuid references users (id) on delete set null;
    alter table users add constraint users_manager_not_self check (manager_id <> id);

    create table pipelines (
      id uuid primary key default gen_random_uuid(),
      name text not null check (length(name) between 1 and 200),
      restrict_stage_changes text not null default 'none' check (restrict_stage_changes in ('none', 'owner_or_manager')),
      created_at timestamptz not null default date_trunc('milliseconds', now()),
      updated_at timestamptz not null default now()
    );
    create index pipelines_created_idx on pipelines (created_at, id);

    -- Stages keep their ids across edits; a removed stage stays (removed_at) so history can still name it.
    -- Name uniqueness and "one won, one lost" are checked by the service under the pipeline's row lock
    -- (a unique index would refuse legitimate swaps within one save).
    create table pipeline_stages (
      id uuid primary key default gen_random_uuid(),
      pipeline_id uuid not null references pipelines (id) on delete cascade,
      name text not null check (length(name) between 1 and 50),
      position int not null,
      probability int not null check (probability between 0 and 100),
      kind text not null check (kind in ('open', 'won', 'lost')),
      removed_at timestamptz
    );
    create index pipeline_stages_pipeline_idx on pipeline_stages (pipeline_id, position);

    create table deals (
      id uuid primary key default gen_random_uuid(),
      name text not null check (length(name) between 1 and 200),
      pipeline_id uuid not null references pipelines (id),
      stage_id uuid not null references pipeline_stages (id),
      status text not null check (status in ('open', 'won', 'lost')),
      amount numeric(22, 4) not null check (amount >= 0),
      currency text not null check (currency ~ '^[A-Z]{3}$'),
      expected_close_date date not null,
      -- the day it was won or lost (UTC); the forecast's close date is coalesce(closed_on, expected_close_date)
      closed_on date,
      company_id uuid references companies (id) on delete set null,
      owner_id uuid not null references users (id),
      -- optimistic concurrency: every update names the version it was based on
      version int not null default 1,
      stage_changed_at timestamptz not null default now(),
      -- 'user:<id>' or 'rule:<id>'
      stage_changed_by text not null,
      -- the last human action on the deal (no_activity_for counts from here)
      last_activity_at timestamptz not null default now(),
      created_at timestamptz not null default date_trunc('milliseconds', now()),
      updated_at timestamptz not null default now(),
      check ((status = 'open') = (closed_on is null))
    );
    create index deals_pipeline_idx on deals (pipeline_id, id);
    create index deals_stage_idx on deals (stage_id);
    create index deals_company_idx on deals (company_id) where company_id is not null;
    create index deals_owner_idx on deals (owner_id);
    create index deals_created_idx on deals (created_at, id);

    create table deal_contacts (
      deal_id uuid not null references deals (id) on delete cascade,
      contact_id uuid not null references contacts (id) on delete cascade,
      primary key (deal_id, contact_id)
    );
    create index deal_contacts_contact_idx on deal_contacts (contact_id);

    -- Every stage a deal entered, who or which rule moved it, and rule moves that did not happen (RULE_CONFLICT).
    create table deal_stage_history (
      id bigint generated always as identity primary key,
      deal_id uuid not null references deals (id) on delete cascade,
      event text not null check (event in ('created', 'moved', 'rule_conflict')),
      from_stage_id uuid references pipeline_stages (id),
      to_stage_id uuid not null references pipeline_stages (id),
      actor_user_id uuid,
      rule_id uuid,
      reason_code text,
      -- ids only: the conflicting manual move, the stage-removal that caused a move, …
      data jsonb not null default '{}',
      deal_version int not null,
      at timestamptz not null default now()
    );
    create index deal_stage_history_deal_idx on deal_stage_history (deal_id, id);

    create table deal_rules (
      id uuid primary key default gen_random_uuid(),
      pipeline_id uuid not null references pipelines (id) on delete cascade,
      trigger_type text not null check (trigger_type in ('entered_stage', 'no_activity_for', 'won', 'lost')),
      trigger_stage_id uuid references pipeline_stages (id),
      trigger_duration text,
      action_type text not null check (action_type in ('move_to_stage', 'create_task', 'enroll_contacts_in_sequence', 'promote_company_to_psa')),
      action_stage_id uuid references pipeline_stages (id),
      action_sequence_id uuid references sequences (id),
      action_title text,
      action_due_in text,
      created_by uuid,
      created_at timestamptz not null default date_trunc('milliseconds', now()),
      deleted_at timestamptz
    );
    create index deal_rules_pipeline_idx on deal_rules (pipeline_id) where deleted_at is null;

    -- One row per (deal, rule, event): a retried activity or a replayed event never acts twice.
    create table deal_rule_firings (
      id bigint generated always as identity primary key,
      deal_id uuid not null references deals (id) on delete cascade,
      rule_id uuid not null references deal_rules (id),
      trigger_key text not null,
      -- rule moves in a row that led here (loops stop at a limit)
      chain_depth int not null default 0,
      status text not null check (status in ('planned', 'done', 'skipped')),
      reason_code text,
      result jsonb not null default '{}',
      planned_at timestamptz not null default now(),
      finished_at timestamptz,
      unique (deal_id, rule_id, trigger_key)
    );
    create index deal_rule_firings_deal_idx on deal_rule_firings (deal_id, id);

    create table deal_tasks (
      id uuid primary key default gen_random_uuid(),
      deal_id uuid not null references deals (id) on delete cascade,
      firing_id bigint unique references deal_rule_firings (id),
      title text not null,
      due_at timestamptz not null,
      completed_at timestamptz,
      completed_by uuid,
      created_at timestamptz not null default now()
    );
    create index deal_tasks_open_idx on deal_tasks (deal_id) where completed_at is null;

    alter table activities add column deal_id uuid;
    create index activities_deal_idx on activities (deal_id, id) where deal_id is not null;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop index activities_deal_idx;
    alter table activities drop column deal_id;
    drop table deal_tasks, deal_rule_firings, deal_rules, deal_stage_history, deal_contacts, deals, pipeline_stages, pipelines;
    alter table users drop constraint users_manager_not_self;
    alter table users drop column manager_id;
  `.execute(db);
}
