/** Kysely table types of CRM sync (SQL: migrations/0050_crm_sync.ts). */
import type { ColumnType, Generated, Selectable } from 'kysely';
import type { ReasonCode } from '../domain/reason-codes';
import type {
  ConnectorStatus, ConnectorType, ReviewStatus, SyncCycleKind, SyncCycleStatus, SyncFullLoadReason, SyncLocalKind, SyncObject, SyncPendingOp, SyncRecordStatus,
} from '../domain/sync/vocabulary';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** jsonb with a database default: optional on insert. */
type Json<T> = ColumnType<T, string | T | undefined, string | T>;
type Counter = ColumnType<number, number | undefined, number>;
type Nullable<T> = ColumnType<T | null, T | null | undefined, T | null>;

export interface ConnectorsTable {
  id: Generated<string>;
  type: ConnectorType;
  name: string;
  status: ColumnType<ConnectorStatus, ConnectorStatus | undefined, ConnectorStatus>;
  settings: Json<Record<string, unknown>>;
  secret: string | null;
  workflow_id: string;
  last_error_code: Nullable<string>;
  last_error_at: NullableTimestamp;
  org_api_used: Nullable<number>;
  org_api_limit: Nullable<number>;
  org_api_seen_at: NullableTimestamp;
  server_clock_skew_ms: ColumnType<string, number | string | undefined, number | string>;
  created_by: Nullable<string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SyncCursorsTable {
  connector_id: string;
  object: SyncObject;
  updated_from: NullableTimestamp;
  deleted_from: NullableTimestamp;
  full_load: Nullable<SyncFullLoadReason>;
  full_load_state: Json<Record<string, unknown> | null>;
  loaded_at: NullableTimestamp;
  updated_at: Timestamp;
}

export interface SyncRecordsTable {
  connector_id: string;
  object: SyncObject;
  external_id: string;
  local_kind: Nullable<SyncLocalKind>;
  local_id: Nullable<string>;
  status: SyncRecordStatus;
  code: Nullable<ReasonCode>;
  decision: Json<Record<string, unknown>>;
  snapshot: Json<Record<string, unknown> | null>;
  applied: Json<Record<string, unknown>>;
  field_sources: Json<Record<string, string>>;
  email_normalized: Nullable<string>;
  account_external_id: Nullable<string>;
  master_external_id: Nullable<string>;
  crm_modstamp: NullableTimestamp;
  last_cycle_id: Nullable<string>;
  seen_cycle_id: Nullable<string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SyncRecordVersionsTable {
  id: Generated<string>;
  connector_id: string;
  object: SyncObject;
  external_id: string;
  cycle_id: Nullable<string>;
  status: SyncRecordStatus;
  code: Nullable<string>;
  decision: Json<Record<string, unknown>>;
  snapshot: Json<Record<string, unknown> | null>;
  recorded_at: Timestamp;
}

export interface SyncPendingTable {
  connector_id: string;
  object: SyncObject;
  external_id: string;
  op: SyncPendingOp;
  priority: Counter;
  code: Nullable<string>;
  enqueued_at: Timestamp;
}

export interface SyncCyclesTable {
  id: string;
  connector_id: string;
  kind: SyncCycleKind;
  status: ColumnType<SyncCycleStatus, SyncCycleStatus | undefined, SyncCycleStatus>;
  code: Nullable<string>;
  started_at: Timestamp;
  ended_at: NullableTimestamp;
  deferred_until: NullableTimestamp;
  records_read: Counter;
  records_applied: Counter;
  records_skipped: Counter;
  codes: Json<Record<string, number>>;
  api_calls: Counter;
  budget_allowance: Nullable<number>;
  budget_left: Nullable<number>;
  errors: Json<CycleError[]>;
  /** Outbound (0060): queue entries decided, CRM writes that succeeded, CRM writes refused. */
  outbound_read: Counter;
  outbound_pushed: Counter;
  outbound_failed: Counter;
}

export interface CycleError {
  code: string;
  errorCode?: string;
  count: number;
  records: string[];
}

export interface SyncReviewItemsTable {
  id: Generated<string>;
  connector_id: string;
  object: SyncObject;
  external_id: string;
  candidate_ids: string[];
  status: ColumnType<ReviewStatus, ReviewStatus | undefined, ReviewStatus>;
  resolved_local_id: Nullable<string>;
  resolved_by: Nullable<string>;
  created_at: Timestamp;
  resolved_at: NullableTimestamp;
}

export interface SyncTables {
  connectors: ConnectorsTable;
  sync_cursors: SyncCursorsTable;
  sync_records: SyncRecordsTable;
  sync_record_versions: SyncRecordVersionsTable;
  sync_pending: SyncPendingTable;
  sync_cycles: SyncCyclesTable;
  sync_review_items: SyncReviewItemsTable;
}

export type ConnectorRow = Selectable<ConnectorsTable>;
export type SyncRecordRow = Selectable<SyncRecordsTable>;
export type SyncCycleRow = Selectable<SyncCyclesTable>;
export type SyncReviewItemRow = Selectable<SyncReviewItemsTable>;
