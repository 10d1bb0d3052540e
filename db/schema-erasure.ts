/** Table types of GDPR erasure (SQL: migrations/0040_erasure.ts). */
import type { ColumnType, Generated, Selectable } from 'kysely';
import type { ErasureStatus, ErasureStepRecord, ErasureSubjectKind, ErasureSystemRecord, ReceiptKind, RetainedKind, RetainedSystem } from '../domain/erasure/vocabulary';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string | T, string | T>;

export interface ErasureRequestsTable {
  id: Generated<string>;
  subject_kind: ErasureSubjectKind;
  contact_id: string | null;
  subject_hash: string | null;
  contact_ids: ColumnType<string[], string[] | undefined, string[]>;
  subject_sealed: string | null;
  jurisdiction: string;
  reference: string | null;
  requested_by: string | null;
  status: ColumnType<ErasureStatus, ErasureStatus | undefined, ErasureStatus>;
  steps: Json<ErasureStepRecord[]>;
  systems: Json<ErasureSystemRecord[]>;
  received_at: Date;
  due_at: Date;
  extended_until: Date | null;
  extension_reason: string | null;
  extended_at: Date | null;
  code: string | null;
  workflow_id: string;
  receipt_seq: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  completed_at: Date | null;
}

export interface ErasureRetainedRecordsTable {
  id: Generated<string>;
  request_id: string;
  contact_id: string;
  system: RetainedSystem;
  kind: RetainedKind;
  reference: string;
  /** numeric: a string, never a float. */
  amount: string | null;
  currency: string | null;
  /** date: YYYY-MM-DD. */
  issued_at: string | null;
  legal_basis: string;
  jurisdiction: string;
  retain_until: string;
  removed_at: Date | null;
  created_at: Timestamp;
}

export interface ErasureReceiptsTable {
  seq: Generated<string>;
  request_id: string;
  kind: ReceiptKind;
  dedupe_key: string;
  body: Json<Record<string, unknown>>;
  prev_hash: string;
  hash: string;
  created_at: Timestamp;
}

export interface ErasureTables {
  erasure_requests: ErasureRequestsTable;
  erasure_retained_records: ErasureRetainedRecordsTable;
  erasure_receipts: ErasureReceiptsTable;
}

export type ErasureRequestRow = Selectable<ErasureRequestsTable>;
export type RetainedRecordRow = Selectable<ErasureRetainedRecordsTable>;
export type ErasureReceiptRow = Selectable<ErasureReceiptsTable>;
