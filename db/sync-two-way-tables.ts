/** Kysely table types of two-way CRM sync (SQL: migrations/0060_crm_sync_two_way.ts). */
import type { ColumnType, Generated, Selectable } from 'kysely';
import type { OutboundKind, OutboundPushOutcome, OutboundState, ReplayStatus } from '../domain/sync/vocabulary';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string | T | undefined, string | T>;
type Counter = ColumnType<number, number | undefined, number>;
type Nullable<T> = ColumnType<T | null, T | null | undefined, T | null>;

export interface SyncOutboundTable {
  connector_id: string;
  local_kind: OutboundKind;
  local_id: string;
  contact_id: Nullable<string>;
  state: ColumnType<OutboundState, OutboundState | undefined, OutboundState>;
  priority: Counter;
  code: Nullable<string>;
  error_code: Nullable<string>;
  attempts: Counter;
  decision: Json<Record<string, unknown>>;
  last_cycle_id: Nullable<string>;
  change_seq: ColumnType<string, string | number | undefined, string | number>;
  enqueued_at: Timestamp;
  decided_at: NullableTimestamp;
}

export interface SyncRecordPushesTable {
  id: Generated<string>;
  connector_id: string;
  object: string;
  external_id: Nullable<string>;
  local_kind: OutboundKind;
  local_id: string;
  cycle_id: Nullable<string>;
  outcome: OutboundPushOutcome;
  code: Nullable<string>;
  error_code: Nullable<string>;
  fields: ColumnType<string[], string[] | undefined, string[]>;
  pushed_at: Timestamp;
}

export interface SyncReplaysTable {
  id: Generated<string>;
  connector_id: string;
  from_at: Timestamp;
  to_at: Timestamp;
  status: ColumnType<ReplayStatus, ReplayStatus | undefined, ReplayStatus>;
  cycle_id: Nullable<string>;
  records: Counter;
  requested_by: Nullable<string>;
  created_at: Timestamp;
  ended_at: NullableTimestamp;
}

export interface SyncReplayItemsTable {
  replay_id: string;
  object: 'Account' | 'Contact' | 'Lead';
  external_id: string;
}

export interface SyncTwoWayTables {
  sync_outbound: SyncOutboundTable;
  sync_record_pushes: SyncRecordPushesTable;
  sync_replays: SyncReplaysTable;
  sync_replay_items: SyncReplayItemsTable;
}

export type SyncOutboundRow = Selectable<SyncOutboundTable>;
export type SyncReplayRow = Selectable<SyncReplaysTable>;
