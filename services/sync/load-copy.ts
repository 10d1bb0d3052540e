/**
 * The rows a full load only ever adds, written with COPY … FROM STDIN on the page transaction's own
 * connection (db/pinned-transaction.ts) instead of INSERT … SELECT from jsonb_to_recordset: new contacts
 * (fresh ids), their activity-log entries, and on a first load (ApplyContext.allNew) the records' state.
 * PostgreSQL then parses each value once, not a whole page of JSON first and each field out of it again.
 * Column values and defaults are the ones the INSERT statements of apply-records.ts write.
 */
import type { PoolClient } from 'pg';
import { copyJson, copyLines, copyText } from '../../db/copy-writer';

/** A column value as COPY text (\N for undefined or null). */
const t = (v: unknown): string => copyText(v === undefined || v === null ? null : String(v));

/** Lines made as the COPY takes them (PostgreSQL parses one chunk while the next is built), never a page of them at once. */
function* linesOf<T>(rows: readonly T[], line: (row: T) => string): Generator<string> {
  for (const row of rows) yield line(row);
}

export async function copyContacts(client: PoolClient, rows: Array<{ id: string; columns: Record<string, unknown> }>): Promise<void> {
  await copyLines(
    client,
    'COPY contacts (id, email, email_normalized, first_name, last_name, company_id, consent, status, address, custom_fields) FROM STDIN',
    linesOf(rows, ({ id, columns: c }) => `${id}\t${t(c.email)}\t${t(c.email_normalized)}\t${t(c.first_name)}\t${t(c.last_name)}\t${t(c.company_id)}\t${t(c.consent ?? 'unknown')}\t${t(c.status ?? 'active')}\t${t(c.address)}\t${t(c.custom_fields ?? '{}')}\n`),
  );
}

export async function copyActivities(client: PoolClient, actor: string, rows: Array<{ contact_id: string | null; company_id: string | null; type: string; reason_code: string | null; data: Record<string, unknown> }>): Promise<void> {
  const by = t(actor);
  await copyLines(
    client,
    'COPY activities (contact_id, company_id, type, reason_code, data, actor) FROM STDIN',
    linesOf(rows, (a) => `${t(a.contact_id)}\t${t(a.company_id)}\t${t(a.type)}\t${t(a.reason_code)}\t${copyJson(a.data)}\t${by}\n`),
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
  const head = `${t(at.connectorId)}\t${t(at.object)}\t`;
  const cycle = t(at.cycleId);
  await copyLines(
    client,
    `COPY sync_records (connector_id, object, external_id, local_kind, local_id, status, code, decision, snapshot, applied, field_sources,
      email_normalized, account_external_id, master_external_id, crm_modstamp, last_cycle_id, seen_cycle_id) FROM STDIN`,
    linesOf(
      rows,
      (w) =>
        `${head}${t(w.external_id)}\t${t(w.local_kind)}\t${t(w.local_id)}\t${t(w.status)}\t${t(w.code)}\t${copyJson(w.decision)}\t${copyJson(w.snapshot)}\t${copyJson(w.applied)}\t${copyJson(w.field_sources)}\t` +
        `${t(w.email_normalized)}\t${t(w.account_external_id)}\t${t(w.master_external_id)}\t${t(w.crm_modstamp)}\t${cycle}\t${w.seen ? cycle : '\\N'}\n`,
    ),
  );
}

/** The COPY of copyNewRecords met a record stored meanwhile (another writer linked it): the page is applied again as updates. */
export function isStoredRecordConflict(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string } | null;
  return e?.code === '23505' && e.constraint === 'sync_records_pkey';
}
