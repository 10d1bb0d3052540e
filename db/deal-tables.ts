/** Kysely table types of deals, pipelines and deal automation (SQL: migrations/0030_deals.ts). */
import type { ColumnType, Generated, Selectable } from 'kysely';
import type { StageHistoryEvent, DealStatus, RuleActionType, RuleFiringStatus, RuleTriggerType, StageChangeRestriction, StageKind } from '../domain/deals/vocabulary';
import type { ReasonCode } from '../domain/reason-codes';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** jsonb with a database default: optional on insert. */
type Json<T> = ColumnType<T, string | T | undefined, string | T>;
/** `numeric`: pg returns a string; never a JavaScript number. */
type Numeric = ColumnType<string, string, string>;
/** `date`: kept as `YYYY-MM-DD` (see the DATE parser in db/database.ts). */
type CalendarDate = ColumnType<string, string, string>;

export interface PipelinesTable {
  id: Generated<string>;
  name: string;
  restrict_stage_changes: ColumnType<StageChangeRestriction, StageChangeRestriction | undefined, StageChangeRestriction>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface PipelineStagesTable {
  id: Generated<string>;
  pipeline_id: string;
  name: string;
  position: number;
  probability: number;
  kind: StageKind;
  removed_at: Date | null;
}

export interface DealsTable {
  id: Generated<string>;
  name: string;
  pipeline_id: string;
  stage_id: string;
  status: DealStatus;
  amount: Numeric;
  currency: string;
  expected_close_date: CalendarDate;
  closed_on: ColumnType<string | null, string | null | undefined, string | null>;
  company_id: string | null;
  owner_id: string;
  version: ColumnType<number, number | undefined, number>;
  stage_changed_at: Timestamp;
  stage_changed_by: string;
  last_activity_at: Timestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface DealContactsTable {
  deal_id: string;
  contact_id: string;
}

export interface DealStageHistoryTable {
  id: Generated<string>;
  deal_id: string;
  event: StageHistoryEvent;
  from_stage_id: string | null;
  to_stage_id: string;
  actor_user_id: string | null;
  rule_id: string | null;
  reason_code: ReasonCode | null;
  data: Json<Record<string, unknown>>;
  deal_version: number;
  at: Timestamp;
}

export interface DealRulesTable {
  id: Generated<string>;
  pipeline_id: string;
  trigger_type: RuleTriggerType;
  trigger_stage_id: string | null;
  trigger_duration: string | null;
  action_type: RuleActionType;
  action_stage_id: string | null;
  action_sequence_id: string | null;
  action_title: string | null;
  action_due_in: string | null;
  created_by: string | null;
  created_at: Timestamp;
  deleted_at: Date | null;
}

export interface DealRuleFiringsTable {
  id: Generated<string>;
  deal_id: string;
  rule_id: string;
  trigger_key: string;
  chain_depth: ColumnType<number, number | undefined, number>;
  status: RuleFiringStatus;
  reason_code: ReasonCode | null;
  result: Json<Record<string, unknown>>;
  planned_at: Timestamp;
  finished_at: Date | null;
}

export interface DealTasksTable {
  id: Generated<string>;
  deal_id: string;
  firing_id: string | null;
  title: string;
  due_at: Date;
  completed_at: Date | null;
  completed_by: string | null;
  created_at: Timestamp;
}

export interface DealTables {
  pipelines: PipelinesTable;
  pipeline_stages: PipelineStagesTable;
  deals: DealsTable;
  deal_contacts: DealContactsTable;
  deal_stage_history: DealStageHistoryTable;
  deal_rules: DealRulesTable;
  deal_rule_firings: DealRuleFiringsTable;
  deal_tasks: DealTasksTable;
}

export type PipelineRow = Selectable<PipelinesTable>;
export type StageRow = Selectable<PipelineStagesTable>;
export type DealRow = Selectable<DealsTable>;
export type StageHistoryRow = Selectable<DealStageHistoryTable>;
export type DealRuleRow = Selectable<DealRulesTable>;
export type DealRuleFiringRow = Selectable<DealRuleFiringsTable>;
export type DealTaskRow = Selectable<DealTasksTable>;
