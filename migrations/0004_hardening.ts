import { sql, type Kysely } from 'kysely';

/**
 * Hardening: the audit log keeps the request id the client sent (ours is generated server-side and is
 * unique), records failed authentications (no user, status 401) and says what kind of entry it is.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table audit_log
      add column client_request_id text check (length(client_request_id) <= 64),
      add column client_address text check (length(client_address) <= 64),
      add column outcome text not null default 'ok' check (outcome in ('ok', 'auth_failed'))
  `.execute(db);
  await sql`create index audit_log_request_idx on audit_log (request_id)`.execute(db);
  // Failed authentications are pruned by age; this index finds them.
  await sql`create index audit_log_auth_failed_idx on audit_log (occurred_at) where outcome = 'auth_failed'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index audit_log_auth_failed_idx`.execute(db);
  await sql`drop index audit_log_request_idx`.execute(db);
  await sql`alter table audit_log drop column outcome, drop column client_address, drop column client_request_id`.execute(db);
}
