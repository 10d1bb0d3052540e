import type { ColumnType, Generated, Selectable } from 'kysely';
import type { DedupScanStatus, DedupScanTrigger, DuplicatePairStatus, MergeMoveKind, MergeStatus } from '../domain/duplicates/vocabulary';
import type { ImportStatus, OnExisting } from '../domain/imports/vocabulary';

/** Table types of duplicates, merges and imports (migrations/0020_duplicates_import.ts). */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** A JSON column with a default: optional on insert. */
type JsonWithDefault<T> = ColumnType<T, string | T | undefined, string | T>;
type Counter = ColumnType<number, number | undefined, number>;

export interface DedupScansTable {
  id: Generated<string>;
  status: ColumnType<DedupScanStatus, DedupScanStatus | undefined, DedupScanStatus>;
  trigger: DedupScanTrigger;
  requested_by: string | null;
  contacts_scanned: Counter;
  comparisons: ColumnType<string, number | string | undefined, number | string>;
  pairs_found: Counter;
  pairs_new: Counter;
  code: string | null;
  workflow_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  finished_at: Date | null;
}

export interface DuplicatePairsTable {
  id: Generated<string>;
  contact_a: string;
  contact_b: string;
  reasons: string[];
  score: number;
  name_distance: number | null;
  status: ColumnType<DuplicatePairStatus, DuplicatePairStatus | undefined, DuplicatePairStatus>;
  cluster_id: string | null;
  last_scan_id: string | null;
  dismissed_by: string | null;
  dismissed_at: Date | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ContactMergesTable {
  id: Generated<string>;
  primary_id: string;
  duplicate_ids: string[];
  fields: JsonWithDefault<Record<string, string>>;
  status: ColumnType<MergeStatus, MergeStatus | undefined, MergeStatus>;
  code: string | null;
  message: string | null;
  snapshot: ColumnType<unknown, string | null | undefined, string | null>;
  result: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  requested_by: string | null;
  workflow_id: string;
  created_at: Timestamp;
  completed_at: Date | null;
  undo_until: Date | null;
  undone_at: Date | null;
  undone_by: string | null;
}

export interface ContactMergeMovesTable {
  merge_id: string;
  kind: MergeMoveKind;
  row_ref: string;
  from_contact_id: string;
}

export interface ImportsTable {
  id: Generated<string>;
  status: ColumnType<ImportStatus, ImportStatus | undefined, ImportStatus>;
  dry_run: ColumnType<boolean, boolean | undefined, boolean>;
  on_existing: OnExisting;
  mapping: JsonWithDefault<Record<string, string>>;
  ignored_columns: JsonWithDefault<string[]>;
  encoding: string | null;
  delimiter: string | null;
  bytes: ColumnType<string, number | string | undefined, number | string>;
  total_rows: Counter;
  applied_through: Counter;
  processed: Counter;
  created: Counter;
  updated: Counter;
  unchanged: Counter;
  skipped: Counter;
  failed: Counter;
  code: string | null;
  message: string | null;
  requested_by: string | null;
  requested_role: string | null;
  workflow_id: string | null;
  created_at: Timestamp;
  started_at: Date | null;
  finished_at: Date | null;
  updated_at: Timestamp;
}

export interface ImportRowsTable {
  import_id: string;
  row_no: number;
  email: string | null;
  email_normalized: string | null;
  first_name: string | null;
  last_name: string | null;
  company_id: string | null;
  company_name: string | null;
  time_zone: string | null;
  consent: string | null;
  status: string | null;
  duplicate_of: number | null;
}

export interface ImportErrorsTable {
  id: Generated<string>;
  import_id: string;
  row_no: number;
  field: string | null;
  code: string;
  message: string;
  other_row: number | null;
}

export interface DuplicatesImportTables {
  dedup_scans: DedupScansTable;
  duplicate_pairs: DuplicatePairsTable;
  contact_merges: ContactMergesTable;
  contact_merge_moves: ContactMergeMovesTable;
  imports: ImportsTable;
  import_rows: ImportRowsTable;
  import_errors: ImportErrorsTable;
}

export type ImportRow = Selectable<ImportsTable>;
export type DedupScanRow = Selectable<DedupScansTable>;
export type ContactMergeRow = Selectable<ContactMergesTable>;
export type StagedImportRow = Selectable<ImportRowsTable>;
