/**
 * The rows a full load only ever adds, written with COPY … FROM STDIN on the page transaction's own
 * connection (db/pinned-transaction.ts) instead of INSERT … SELECT from jsonb_to_recordset: new contacts
 * (fresh ids), their activity-log entries, and on a first load (ApplyContext.allNew) the records' state.
 * PostgreSQL then parses each value once, not a whole page of JSON first and each field out of it again.
 * Column values and defaults are the ones the INSERT statements of apply-records.ts write.
 */
import type { PoolClient } from 'pg';
import { copyRows } from '../../db/copy-writer';

type Cell = string | number | null;
const orNull = (v: unknown): Cell => (v === undefined || v === null ? null : String(v));

export async function copyContacts(client: PoolClient, rows: Array<{ id: string; columns: Record<string, unknown> }>): Promise<void> {
  await copyRows(
    client,
    'COPY contacts (id, email, email_normalized, first_name, last_name, company_id, consent, status, address, custom_fields) FROM STDIN',
    rows.map(({ id, columns: c }) => [id, orNull(c.email), orNull(c.email_normalized), orNull(c.first_name), orNull(c.last_name), orNull(c.company_id), orNull(c.consent) ?? 'unknown', orNull(c.status) ?? 'active', orNull(c.address), orNull(c.custom_fields) ?? '{}']),
  );
}

export async function copyActivities(client: PoolClient, actor: string, rows: Array<{ contact_id: string | null; company_id: string | null; type: string; reason_code: string | null; data: Record<string, unknown> }>): Promise<void> {
  await copyRows(
    client,
    'COPY activities (contact_id, company_id, type, reason_code, data, actor) FROM STDIN',
    rows.map((a) => [a.contact_id, a.company_id, a.type, a.reason_code, JSON.stringify(a.data), actor]),
  );
}

export interface NewRecordRow {
  external_id: string;
  local_kind: string | null;
  local_id: string | null;
  status: string;
  code: string | null;
  decision: unknown;
  snapshot: unknown;
  applied: unknown;
  field_sources: unknown;
  email_normalized: string | null;
  account_external_id: string | null;
  master_external_id: string | null;
  crm_modstamp: string | null;
  seen: boolean;
}

/** Records not stored yet (a conflict with one that is fails the COPY: the caller's transaction rolls back). */
export async function copyNewRecords(client: PoolClient, at: { connectorId: string; object: string; cycleId: string }, rows: NewRecordRow[]): Promise<void> {
  await copyRows(
    client,
    `COPY sync_records (connector_id, object, external_id, local_kind, local_id, status, code, decision, snapshot, applied, field_sources,
      email_normalized, account_external_id, master_external_id, crm_modstamp, last_cycle_id, seen_cycle_id) FROM STDIN`,
    rows.map((w) => [
      at.connectorId,
      at.object,
      w.external_id,
      w.local_kind,
      w.local_id,
      w.status,
      w.code,
      JSON.stringify(w.decision),
      JSON.stringify(w.snapshot),
      JSON.stringify(w.applied),
      JSON.stringify(w.field_sources),
      w.email_normalized,
      w.account_external_id,
      w.master_external_id,
      w.crm_modstamp,
      at.cycleId,
      w.seen ? at.cycleId : null,
    ]),
  );
}

/** The COPY of copyNewRecords met a record stored meanwhile (another writer linked it): the page is applied again as updates. */
export function isStoredRecordConflict(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string } | null;
  return e?.code === '23505' && e.constraint === 'sync_records_pkey';
}
