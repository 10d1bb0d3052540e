/**
 * Every vocabulary has one source (an `as const` array in domain/); the SQL CHECK constraints the
 * migrations wrote must allow exactly those values, and the one-live-enrollment index must use
 * exactly the live statuses.
 */
import { sql } from 'kysely';
import { AUDIT_OUTCOMES } from '../../domain/audit/vocabulary';
import { COMPANY_STATUSES } from '../../domain/companies/vocabulary';
import { DEAL_STATUSES, RULE_ACTION_TYPES, RULE_FIRING_STATUSES, RULE_TRIGGER_TYPES, STAGE_CHANGE_RESTRICTIONS, STAGE_HISTORY_EVENTS, STAGE_KINDS } from '../../domain/deals/vocabulary';
import { CONSENTS, CONTACT_STATUSES } from '../../domain/contacts/vocabulary';
import { ROLES } from '../../domain/permissions';
import { PROMOTION_STATES } from '../../domain/promotion/steps';
import { ENROLLMENT_STATUSES, LIVE_ENROLLMENT_STATUSES, MAILBOX_PROVIDERS, SEND_COUNTER_WINDOWS, SEND_STATUSES, SEQUENCE_STATUSES } from '../../domain/sequences/vocabulary';
import { SUPPRESSION_REASONS } from '../../domain/suppressions/vocabulary';
import { DEDUP_SCAN_STATUSES, DEDUP_SCAN_TRIGGERS, DUPLICATE_PAIR_STATUSES, MERGE_MOVE_KINDS, MERGE_STATUSES } from '../../domain/duplicates/vocabulary';
import { IMPORT_STATUSES, ON_EXISTING } from '../../domain/imports/vocabulary';
import { ERASURE_STATUSES, ERASURE_SUBJECT_KINDS, RECEIPT_KINDS, RETAINED_KINDS, RETAINED_SYSTEMS } from '../../domain/erasure/vocabulary';
import { CONNECTOR_STATUSES, CONNECTOR_TYPES, REVIEW_STATUSES, SYNC_CYCLE_KINDS, SYNC_CYCLE_STATUSES, SYNC_FULL_LOAD_REASONS, SYNC_LOCAL_KINDS, SYNC_OBJECTS, SYNC_PENDING_OPS, SYNC_RECORD_STATUSES } from '../../domain/sync/vocabulary';
import { COMPANY_MERGE_MOVE_KINDS } from '../../domain/matching/vocabulary';
import { createTestDatabase, type TestDatabase } from '../harness/database';

let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await createTestDatabase();
});
afterAll(() => tdb.drop());

const VOCABULARIES: [table: string, column: string, values: readonly string[]][] = [
  ['users', 'role', ROLES],
  ['companies', 'status', COMPANY_STATUSES],
  ['contacts', 'status', CONTACT_STATUSES],
  ['contacts', 'consent', CONSENTS],
  ['mailboxes', 'provider', MAILBOX_PROVIDERS],
  ['mailbox_send_counters', 'window_kind', SEND_COUNTER_WINDOWS],
  ['sequences', 'status', SEQUENCE_STATUSES],
  ['enrollments', 'status', ENROLLMENT_STATUSES],
  ['email_sends', 'status', SEND_STATUSES],
  ['suppressions', 'reason', SUPPRESSION_REASONS],
  ['promotions', 'status', PROMOTION_STATES],
  ['audit_log', 'outcome', AUDIT_OUTCOMES],
  ['pipelines', 'restrict_stage_changes', STAGE_CHANGE_RESTRICTIONS],
  ['pipeline_stages', 'kind', STAGE_KINDS],
  ['deals', 'status', DEAL_STATUSES],
  ['deal_stage_history', 'event', STAGE_HISTORY_EVENTS],
  ['deal_rules', 'trigger_type', RULE_TRIGGER_TYPES],
  ['deal_rules', 'action_type', RULE_ACTION_TYPES],
  ['deal_rule_firings', 'status', RULE_FIRING_STATUSES],
  ['dedup_scans', 'status', DEDUP_SCAN_STATUSES],
  ['dedup_scans', 'trigger', DEDUP_SCAN_TRIGGERS],
  ['duplicate_pairs', 'status', DUPLICATE_PAIR_STATUSES],
  ['contact_merges', 'status', MERGE_STATUSES],
  ['contact_merge_moves', 'kind', MERGE_MOVE_KINDS],
  ['imports', 'status', IMPORT_STATUSES],
  ['imports', 'on_existing', ON_EXISTING],
  ['erasure_requests', 'status', ERASURE_STATUSES],
  ['erasure_requests', 'subject_kind', ERASURE_SUBJECT_KINDS],
  ['erasure_retained_records', 'system', RETAINED_SYSTEMS],
  ['erasure_retained_records', 'kind', RETAINED_KINDS],
  ['erasure_receipts', 'kind', RECEIPT_KINDS],
  ['connectors', 'type', CONNECTOR_TYPES],
  ['connectors', 'status', CONNECTOR_STATUSES],
  ['sync_cursors', 'object', SYNC_OBJECTS],
  ['sync_cursors', 'full_load', SYNC_FULL_LOAD_REASONS],
  ['sync_records', 'object', SYNC_OBJECTS],
  ['sync_records', 'local_kind', SYNC_LOCAL_KINDS],
  ['sync_records', 'status', SYNC_RECORD_STATUSES],
  ['sync_pending', 'object', SYNC_OBJECTS],
  ['sync_pending', 'op', SYNC_PENDING_OPS],
  ['sync_cycles', 'kind', SYNC_CYCLE_KINDS],
  ['sync_cycles', 'status', SYNC_CYCLE_STATUSES],
  ['sync_review_items', 'object', SYNC_OBJECTS],
  ['sync_review_items', 'status', REVIEW_STATUSES],
  ['company_merge_moves', 'kind', COMPANY_MERGE_MOVE_KINDS],
];

/** The quoted literals of `col = ANY (ARRAY['a'::text, …])` (or `col IN (…)`) in a constraint definition. */
function allowedValues(definition: string, column: string): string[] | undefined {
  const m = new RegExp(`\\(?${column}\\)?\\s*(?:=\\s*ANY\\s*\\(ARRAY\\[|IN\\s*\\()([^\\]\\)]*)`, 'i').exec(definition);
  return m ? [...m[1]!.matchAll(/'([^']*)'/g)].map((x) => x[1]!) : undefined;
}

it.each(VOCABULARIES)('%s.%s allows exactly the domain vocabulary', async (table, column, values) => {
  const { rows } = await sql<{ def: string }>`
    select pg_get_constraintdef(c.oid) as def from pg_constraint c
    where c.contype = 'c' and c.conrelid = ${table}::regclass`.execute(tdb.db);
  const found = rows.map((r) => allowedValues(r.def, column)).find((v) => v !== undefined);
  expect({ table, column, allowed: found?.sort() }).toEqual({ table, column, allowed: [...values].sort() });
});

it('the one-live-enrollment unique index uses exactly the live statuses', async () => {
  const { rows } = await sql<{ def: string }>`select indexdef as def from pg_indexes where tablename = 'enrollments' and indexdef ilike '%unique%' and indexdef ilike '%where%'`.execute(tdb.db);
  expect(rows).toHaveLength(1);
  expect(allowedValues(rows[0]!.def, 'status')?.sort()).toEqual([...LIVE_ENROLLMENT_STATUSES].sort());
});
