import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { ActivityType } from '../domain/activity-log/types';
import type { CompanyMergeTables } from './company-merge-tables';
import type { AuditOutcome } from '../domain/audit/vocabulary';
import type { DealTables } from './deal-tables';
import type { CompanyStatus } from '../domain/companies/vocabulary';
import type { Consent, ContactStatus } from '../domain/contacts/vocabulary';
import type { RoleName } from '../domain/permissions';
import type { ReasonCode } from '../domain/reason-codes';
import type { PromotionState, PromotionStepName, SkippedContact, StepRecord } from '../domain/promotion/steps';
import type { EnrollmentStatus, MailboxProvider, SendCounterWindow, SendStatus, SequenceStatus } from '../domain/sequences/vocabulary';
import type { SuppressionReason } from '../domain/suppressions/vocabulary';
import type { DuplicatesImportTables } from './schema-duplicates-import';
import type { ErasureTables } from './schema-erasure';
import type { SyncTables } from './sync-tables';
import type { SyncTwoWayTables } from './sync-two-way-tables';

/** Kysely table types; the SQL lives in migrations/. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string | T, string | T>;


export interface CompaniesTable {
  id: Generated<string>;
  name: string;
  domains: ColumnType<string[], string[] | undefined, string[]>;
  status: ColumnType<CompanyStatus, CompanyStatus | undefined, CompanyStatus>;
  type: string | null;
  psa_client_id: string | null;
  external_ids: Json<Record<string, string>>;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** CRM custom fields and address (migrations/0050_crm_sync.ts). */
  custom_fields: ColumnType<Record<string, unknown>, string | Record<string, unknown> | undefined, string | Record<string, unknown>>;
  address: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  /** Set on a merged duplicate (a tombstone): the primary it was merged into (migrations/0070_company_merge.ts). */
  merged_into: ColumnType<string | null, string | null | undefined, string | null>;
  merged_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface ContactsTable {
  id: Generated<string>;
  email: string | null;
  email_normalized: string | null;
  first_name: string | null;
  last_name: string | null;
  company_id: string | null;
  status: ColumnType<ContactStatus, ContactStatus | undefined, ContactStatus>;
  consent: ColumnType<Consent, Consent | undefined, Consent>;
  time_zone: string | null;
  owner_id: string | null;
  external_ids: Json<Record<string, string>>;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** Set on a merged duplicate (a tombstone): the primary it was merged into. */
  merged_into: ColumnType<string | null, string | null | undefined, string | null>;
  merged_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** CRM custom fields and address (migrations/0050_crm_sync.ts). */
  custom_fields: ColumnType<Record<string, unknown>, string | Record<string, unknown> | undefined, string | Record<string, unknown>>;
  address: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
}

export interface UsersTable {
  id: Generated<string>;
  name: string;
  role: RoleName;
  /** The user's manager (deals: may move the user's deals on restricted pipelines). */
  manager_id: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Timestamp;
  disabled_at: Date | null;
}

export interface ApiKeysTable {
  id: Generated<string>;
  user_id: string;
  name: string;
  prefix: string;
  key_hash: string;
  created_at: Timestamp;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export interface ActivitiesTable {
  id: Generated<string>;
  contact_id: string | null;
  company_id: string | null;
  deal_id: ColumnType<string | null, string | null | undefined, string | null>;
  type: ActivityType;
  reason_code: ReasonCode | null;
  data: Json<Record<string, unknown>>;
  actor: string;
  /** Makes appends from retried activities idempotent. */
  dedupe_key: string | null;
  occurred_at: Timestamp;
}

export interface AuditLogTable {
  id: Generated<string>;
  request_id: string;
  user_id: string | null;
  api_key_id: string | null;
  role: string | null;
  method: string;
  route: string;
  status_code: number;
  entity_type: string | null;
  entity_id: string | null;
  /** The x-request-id the client sent, if any (ours, `request_id`, is generated server-side). */
  client_request_id: string | null;
  /** Recorded for failed authentications only (who keeps trying). */
  client_address: string | null;
  outcome: ColumnType<AuditOutcome, AuditOutcome | undefined, AuditOutcome>;
  occurred_at: Timestamp;
}


export interface MailboxesTable {
  id: Generated<string>;
  provider: MailboxProvider;
  address: string;
  display_name: string | null;
  connected: ColumnType<boolean, boolean | undefined, boolean>;
  sync_enabled: ColumnType<boolean, boolean | undefined, boolean>;
  daily_limit: ColumnType<number, number | undefined, number>;
  per_minute_limit: ColumnType<number, number | undefined, number>;
  settings: Json<Record<string, unknown>>;
  secret: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface MailboxSendCountersTable {
  mailbox_id: string;
  window_kind: SendCounterWindow;
  window_start: Date;
  count: ColumnType<number, number | undefined, number>;
}

export interface SequencesTable {
  id: Generated<string>;
  name: string;
  mailbox_id: string;
  status: ColumnType<SequenceStatus, SequenceStatus | undefined, SequenceStatus>;
  send_window: Json<{ days: number[]; start: string; end: string; holidays?: string[] } | null>;
  time_zone: ColumnType<string, string | undefined, string>;
  unenroll_on_reply: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SequenceStepsTable {
  id: Generated<string>;
  sequence_id: string;
  position: number;
  subject: string;
  html: string | null;
  text: string | null;
  delay: string;
  delay_ms: ColumnType<number, number, number>;
  removed_at: Date | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface EnrollmentsTable {
  id: Generated<string>;
  sequence_id: string;
  contact_id: string;
  status: ColumnType<EnrollmentStatus, EnrollmentStatus | undefined, EnrollmentStatus>;
  ended_reason: ReasonCode | null;
  current_step_id: string | null;
  next_send_at: Date | null;
  waiting_for: ColumnType<string[], string[] | undefined, string[]>;
  enrolled_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  ended_at: Date | null;
}

export interface EmailSendsTable {
  id: Generated<string>;
  enrollment_id: string;
  step_id: string;
  mailbox_id: string;
  status: ColumnType<SendStatus, SendStatus | undefined, SendStatus>;
  message_id: string;
  reason_code: ReasonCode | null;
  has_html: ColumnType<boolean, boolean | undefined, boolean>;
  links: Json<string[]>;
  claimed_at: Date | null;
  sent_at: Date | null;
  created_at: Timestamp;
}

export interface SuppressionsTable {
  id: Generated<string>;
  address_normalized: string | null;
  address_hash: string | null;
  reason: SuppressionReason;
  note: string | null;
  created_by: string;
  created_at: Timestamp;
}

/** Company-to-client promotion progress, one row per company (see migrations/0003_promotion.ts). */
export interface PromotionsTable {
  company_id: string;
  status: PromotionState;
  failed_step: PromotionStepName | null;
  code: ReasonCode | null;
  message: string | null;
  psa_client_id: string | null;
  steps: Json<StepRecord[]>;
  contacts_synced: ColumnType<number, number | undefined, number>;
  contacts_skipped: Json<SkippedContact[]>;
  workflow_id: string;
  run_id: string | null;
  attempt: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  updated_at: Timestamp;
  finished_at: Date | null;
}

export interface Database extends DealTables, DuplicatesImportTables, ErasureTables, SyncTables, CompanyMergeTables, SyncTwoWayTables {
  companies: CompaniesTable;
  contacts: ContactsTable;
  users: UsersTable;
  api_keys: ApiKeysTable;
  activities: ActivitiesTable;
  audit_log: AuditLogTable;
  mailboxes: MailboxesTable;
  mailbox_send_counters: MailboxSendCountersTable;
  sequences: SequencesTable;
  sequence_steps: SequenceStepsTable;
  enrollments: EnrollmentsTable;
  email_sends: EmailSendsTable;
  suppressions: SuppressionsTable;
  promotions: PromotionsTable;
}

export type CompanyRow = Selectable<CompaniesTable>;
export type ContactRow = Selectable<ContactsTable>;
export type NewContact = Insertable<ContactsTable>;
export type ContactUpdate = Updateable<ContactsTable>;
export type ActivityRow = Selectable<ActivitiesTable>;
export type PromotionRow = Selectable<PromotionsTable>;
export type SequenceRow = Selectable<SequencesTable>;
export type SequenceStepRow = Selectable<SequenceStepsTable>;
export type MailboxRecord = Selectable<MailboxesTable>;
