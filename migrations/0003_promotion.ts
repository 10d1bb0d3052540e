import { sql, type Kysely } from 'kysely';

/**
 * Company-to-client promotion progress, one row per company. Written by the API (creation, retry)
 * and by idempotent activities, so the status answers even when no worker runs.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table promotions (
      company_id uuid primary key references companies (id) on delete cascade,
      status text not null check (status in ('running', 'waiting_for_psa', 'completed', 'failed')),
      failed_step text,
      code text,
      message text,
      psa_client_id text,
      -- [{ name, status, startedAt, endedAt, code?, detail? }], one entry per step, in order
      steps jsonb not null,
      contacts_synced int not null default 0,
      -- [{ contactId, code }]
      contacts_skipped jsonb not null default '[]',
      workflow_id text not null,
      run_id text,
      -- 1 for the first run, +1 per retry; writes of an older attempt are ignored
      attempt int not null default 1,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      finished_at timestamptz
    );
    create index promotions_psa_client_idx on promotions (psa_client_id);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table promotions`.execute(db);
}
