/**
 * The push's CRM writes for one object and operation: sObject Collections (≤ 200 rows a call,
 * allOrNone false, one SaveResult per row) up to BULK_THRESHOLD rows, Bulk API 2.0 ingest above it
 * (successful, failed and unprocessed rows read back). Creates are upserts on our external id field,
 * so a write retried after a crash finds the record it made instead of making a second one; updates
 * go by the CRM id. Results are keyed by the caller's row key, with Salesforce's error codes.
 */
import type { SalesforceClient } from '../../integrations/salesforce';
import type { SnapshotValue } from '../../domain/sync/snapshot';

/** Above this many rows of one object and operation, one Bulk API 2.0 ingest job instead of Collections calls. */
export const BULK_THRESHOLD = 2_000;

export interface WriteRow {
  key: string;
  fields: Record<string, SnapshotValue>;
}

export type WriteResult = { ok: true; id: string; created: boolean } | { ok: false; errorCode: string; fields: string[] };

export interface WriteSpec {
  object: string;
  /** upsert: on `externalIdField` (each row carries it); update: by `Id` (each row carries it). */
  op: 'upsert' | 'update';
  externalIdField: string;
  rows: WriteRow[];
  onJobCreated?: (jobId: string) => void | Promise<void>;
}

const firstError = (errors: Array<{ statusCode: string; fields: string[] }>) => ({ errorCode: errors[0]?.statusCode ?? 'UNKNOWN_ERROR', fields: errors.flatMap((e) => e.fields) });

export async function writeRows(client: SalesforceClient, spec: WriteSpec): Promise<Map<string, WriteResult>> {
  const out = new Map<string, WriteResult>();
  if (spec.rows.length === 0) return out;
  const idOf = (row: WriteRow): string => String(spec.op === 'update' ? row.fields.Id : row.fields[spec.externalIdField]);
  if (spec.rows.length <= BULK_THRESHOLD) {
    const records = spec.rows.map((r) => ({ ...r.fields }));
    const results = spec.op === 'upsert' ? await client.upsertMany(spec.object, spec.externalIdField, records) : await client.updateMany(spec.object, records as Array<Record<string, unknown> & { Id: string }>);
    results.forEach((r, i) => {
      const row = spec.rows[i]!;
      out.set(row.key, r.success ? { ok: true, id: r.id ?? String(row.fields.Id ?? ''), created: r.created ?? false } : { ok: false, ...firstError(r.errors) });
    });
    return out;
  }

  const byId = new Map(spec.rows.map((r) => [idOf(r).toLowerCase(), r.key]));
  const keyOf = (record: Record<string, string>): string | undefined => {
    const column = Object.keys(record).find((c) => c.toLowerCase() === (spec.op === 'update' ? 'id' : spec.externalIdField.toLowerCase()));
    return column ? byId.get(String(record[column]).toLowerCase()) : undefined;
  };
  // One column set for every row: a column a row does not write is sent empty (Bulk: leave unchanged).
  const result = await client.bulkIngest(spec.object, spec.op, spec.rows.map((r) => r.fields as Record<string, unknown>), {
    ...(spec.op === 'upsert' ? { externalIdField: spec.externalIdField } : {}),
    ...(spec.onJobCreated ? { onJobCreated: spec.onJobCreated } : {}),
  });
  for (const s of result.successful) {
    const key = keyOf(s.record);
    if (key) out.set(key, { ok: true, id: s.id, created: s.created });
  }
  for (const f of result.failed) {
    const key = keyOf(f.record);
    if (key) out.set(key, { ok: false, ...firstError(f.errors) });
  }
  for (const u of result.unprocessed) {
    const key = keyOf(u);
    if (key) out.set(key, { ok: false, errorCode: 'BULK_ROW_UNPROCESSED', fields: [] });
  }
  // A row the job's results do not mention was not processed either.
  for (const r of spec.rows) if (!out.has(r.key)) out.set(r.key, { ok: false, errorCode: 'BULK_ROW_UNPROCESSED', fields: [] });
  return out;
}
