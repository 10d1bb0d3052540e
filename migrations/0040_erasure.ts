import { sql, type Kysely } from 'kysely';

/**
 * GDPR erasure (issue 9): requests with their persisted steps and systems, the financial references
 * retained under a legal obligation, and the receipts' hash chain. Frozen once landed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table erasure_requests (
      id uuid primary key default gen_random_uuid(),
      subject_kind text not null check (subject_kind in ('contact', 'email')),
      -- The contact the request named (contactId requests); no foreign key: the row may be erased.
      contact_id uuid,
      -- Keyed hash (ERASURE_HASH_SECRET) of the subject's normalised address, when known.
      subject_hash text,
      -- Every contact the erasure covers (same address, merged tombstones), fixed at acceptance.
      contact_ids uuid[] not null default '{}',
      -- The subject's addresses and names while the erasure runs (verify needs them), sealed with
      -- SECRETS_KEY; cleared by the receipt step.
      subject_sealed text,
      jurisdiction text not null check (jurisdiction ~ '^[A-Z]{2,3}$'),
      reference text check (length(reference) <= 100),
      requested_by uuid,
      status text not null default 'running' check (status in ('running', 'waiting', 'completed', 'failed')),
      -- [{ name, status, startedAt?, endedAt?, code?, detail? }] in step order
      steps jsonb not null,
      -- [{ system, status, code?, detail? }]
      systems jsonb not null,
      received_at timestamptz not null,
      due_at timestamptz not null,
      extended_until timestamptz,
      extension_reason text check (length(extension_reason) <= 500),
      extended_at timestamptz,
      code text,
      workflow_id text not null,
      receipt_seq bigint,
      created_at timestamptz not null default date_trunc('milliseconds', now()),
      updated_at timestamptz not null default now(),
      completed_at timestamptz,
      check (subject_kind = 'email' or contact_id is not null)
    );
    create index erasure_requests_created_idx on erasure_requests (created_at, id);
    create index erasure_requests_contacts_idx on erasure_requests using gin (contact_ids);
    create index erasure_requests_hash_idx on erasure_requests (subject_hash) where subject_hash is not null;
    -- One live request per subject: a second POST gets the live one back (200), never a second workflow.
    create unique index erasure_requests_live_hash_idx on erasure_requests (subject_hash) where status in ('running', 'waiting') and subject_hash is not null;
    create unique index erasure_requests_live_contact_idx on erasure_requests (contact_id) where status in ('running', 'waiting') and contact_id is not null;

    -- Financial references kept under a legal obligation (Books invoices), until retain_until.
    create table erasure_retained_records (
      id uuid primary key default gen_random_uuid(),
      request_id uuid not null references erasure_requests (id),
      -- The anonymised stub that holds the reference.
      contact_id uuid not null,
      -- one value today; written as = any(array[…]) so more can be added (and the vocabulary test reads it)
      system text not null check (system = any (array['books'])),
      kind text not null check (kind = any (array['invoice'])),
      reference text not null,
      amount numeric(22, 4),
      currency text check (currency ~ '^[A-Z]{3}$'),
      issued_at date,
      legal_basis text not null,
      jurisdiction text not null,
      retain_until date not null,
      removed_at timestamptz,
      created_at timestamptz not null default now(),
      unique (request_id, system, kind, reference)
    );
    create index erasure_retained_due_idx on erasure_retained_records (retain_until) where removed_at is null;

    -- Tamper-evident receipts: hash = sha256(prev_hash || canonical JSON of body), in seq order.
    create table erasure_receipts (
      seq bigint generated always as identity primary key,
      request_id uuid not null references erasure_requests (id),
      kind text not null check (kind in ('erasure', 'retention_end')),
      -- Makes appends from retried activities no-ops.
      dedupe_key text not null unique,
      body jsonb not null,
      prev_hash text not null check (prev_hash ~ '^[0-9a-f]{64}$'),
      hash text not null unique check (hash ~ '^[0-9a-f]{64}$'),
      created_at timestamptz not null default now()
    );
    create index erasure_receipts_request_idx on erasure_receipts (request_id, seq);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table erasure_receipts, erasure_retained_records, erasure_requests`.execute(db);
}
