import { sql, type Kysely } from 'kysely';

/**
 * Email sequences: mailboxes and their send counters, sequences and steps, enrollments,
 * the outbox (one row per enrollment step: the never-twice guarantee), suppressions,
 * and open/click tracking. Frozen once landed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table mailboxes (
      id uuid primary key default gen_random_uuid(),
      provider text not null check (provider in ('smtp', 'm365')),
      address text not null,
      display_name text,
      connected boolean not null default true,
      sync_enabled boolean not null default true,
      daily_limit int not null default 10000 check (daily_limit > 0),
      per_minute_limit int not null default 30 check (per_minute_limit > 0),
      -- Non-secret transport settings (host, port, secure, user / tenantId, clientId).
      settings jsonb not null default '{}',
      -- SMTP password or M365 client secret. Never returned by the API.
      secret text,
      created_at timestamptz not null default date_trunc('milliseconds', now()),
      updated_at timestamptz not null default now()
    );

    -- Sending limits shared by every worker process: one counter per mailbox and window.
    create table mailbox_send_counters (
      mailbox_id uuid not null references mailboxes (id) on delete cascade,
      window_kind text not null check (window_kind in ('day', 'minute')),
      window_start timestamptz not null,
      count int not null default 0,
      primary key (mailbox_id, window_kind, window_start)
    );

    create table sequences (
      id uuid primary key default gen_random_uuid(),
      name text not null check (length(name) between 1 and 200),
      mailbox_id uuid not null references mailboxes (id),
      status text not null default 'draft' check (status in ('draft', 'active', 'paused', 'archived')),
      -- null = send at any time; otherwise { days, start, end, holidays? }.
      send_window jsonb,
      time_zone text not null default 'UTC',
      unenroll_on_reply boolean not null default true,
      created_at timestamptz not null default date_trunc('milliseconds', now()),
      updated_at timestamptz not null default now()
    );

    -- Steps keep stable ids across edits; a removed step is marked, not deleted, so live
    -- enrollments that reach it skip it and history still names it.
    create table sequence_steps (
      id uuid primary key default gen_random_uuid(),
      sequence_id uuid not null references sequences (id) on delete cascade,
      position int not null,
      subject text not null,
      html text,
      text text,
      delay text not null,
      delay_ms bigint not null check (delay_ms >= 0),
      removed_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      check (html is not null or text is not null)
    );
    create index sequence_steps_sequence_idx on sequence_steps (sequence_id, position);

    create table enrollments (
      id uuid primary key default gen_random_uuid(),
      sequence_id uuid not null references sequences (id),
      contact_id uuid not null references contacts (id) on delete cascade,
      status text not null default 'active' check (status in ('active', 'waiting', 'paused', 'completed', 'ended')),
      ended_reason text,
      current_step_id uuid,
      next_send_at timestamptz,
      waiting_for text[] not null default '{}',
      enrolled_by uuid,
      created_at timestamptz not null default date_trunc('milliseconds', now()),
      updated_at timestamptz not null default now(),
      ended_at timestamptz
    );
    -- One live enrollment per contact and sequence (ALREADY_ENROLLED), enforced by the database.
    create unique index enrollments_one_live_idx on enrollments (sequence_id, contact_id) where status in ('active', 'waiting', 'paused');
    create index enrollments_contact_idx on enrollments (contact_id);
    create index enrollments_sequence_live_idx on enrollments (sequence_id) where status in ('active', 'waiting', 'paused');

    -- The outbox: one row per (enrollment, step). A send claims its row in the transaction that
    -- re-checks consent, suppression and contact status; a claimed row is never sent again.
    create table email_sends (
      id uuid primary key default gen_random_uuid(),
      enrollment_id uuid not null references enrollments (id) on delete cascade,
      step_id uuid not null references sequence_steps (id),
      mailbox_id uuid not null references mailboxes (id),
      status text not null default 'pending' check (status in ('pending', 'claimed', 'sent', 'uncertain', 'blocked', 'skipped')),
      message_id text not null unique,
      reason_code text,
      has_html boolean not null default false,
      -- Original URLs of rewritten links, by index: click redirects only go here (no open redirect).
      links jsonb not null default '[]',
      claimed_at timestamptz,
      sent_at timestamptz,
      created_at timestamptz not null default now(),
      unique (enrollment_id, step_id)
    );

    -- Suppression by normalised address; erased addresses are kept only as a keyed hash.
    create table suppressions (
      id uuid primary key default gen_random_uuid(),
      address_normalized text unique,
      address_hash text unique,
      reason text not null check (reason in ('bounced', 'complained', 'manual', 'unsubscribed', 'erased')),
      note text,
      created_by text not null,
      created_at timestamptz not null default now(),
      check ((address_normalized is null) <> (address_hash is null))
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table suppressions, email_sends, enrollments, sequence_steps, sequences, mailbox_send_counters, mailboxes`.execute(db);
}
