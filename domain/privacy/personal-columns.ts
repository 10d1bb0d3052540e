/**
 * Which columns can hold a CRM data subject's personal data, and how erasure removes it: every
 * text / varchar / jsonb / inet / text[] column of every table is listed here, either personal (the
 * rows that belong to the subject, and what erasure does to them) or not personal (and why).
 * test/erasure/personal-columns.test.ts reads information_schema after every migration and fails on
 * a column this list does not classify, so a new column is decided on when it is added.
 * The erase_crm step executes the personal entries; the verify step searches every listed column.
 */

/** Which rows of the table belong to the subject. */
export type SubjectScope =
  /** rows whose `column` is one of the subject's contact ids (the contact, its merged tombstones, contacts with its address) */
  | { kind: 'contacts'; column: string }
  /** rows whose `column` is an enrollment of one of those contacts */
  | { kind: 'enrollments'; column: string }
  /** rows whose `column` holds one of the subject's normalised addresses */
  | { kind: 'addresses'; column: string }
  /** rows linked to one of the subject's contacts by `idColumn`, or holding one of its addresses in `addressColumn` (CRM records sync read, linked or not) */
  | { kind: 'contacts_or_addresses'; idColumn: string; addressColumn: string }
  /** sync_record_versions of the CRM records in the contacts_or_addresses scope of sync_records */
  | { kind: 'sync_versions' }
  /** contact_merges whose primary or duplicates are among the subject's contacts */
  | { kind: 'merges' }
  /** the erasure request's own working copy (cleared by the receipt step, not by erase_crm) */
  | { kind: 'erasure_request' };

/**
 * null: set NULL; redact_json: keep only ids, numbers, booleans, instants and reason codes of a JSON
 * value (counts, dates and codes are not personal); empty_object / empty_array: replace the JSON;
 * delete_row: the whole row goes.
 */
export type EraseAction = 'null' | 'redact_json' | 'empty_object' | 'empty_array' | 'delete_row';

export type ColumnClass = { personal: true; scope: SubjectScope; erase: EraseAction; what: string } | { personal: false; why: string };

const contactRow: SubjectScope = { kind: 'contacts', column: 'id' };
const syncRecord: SubjectScope = { kind: 'contacts_or_addresses', idColumn: 'local_id', addressColumn: 'email_normalized' };
/** Earlier versions of the subject's CRM records: those whose record is (or was) the subject's. */
const syncVersion: SubjectScope = { kind: 'sync_versions' };
const no = (why: string): ColumnClass => ({ personal: false, why });
const yes = (scope: SubjectScope, erase: EraseAction, what: string): ColumnClass => ({ personal: true, scope, erase, what });

const VOCABULARY = 'a value of a fixed vocabulary (CHECK constraint)';
const CODE = 'a reason code';
const IDS = 'ids, codes and counts only (written by our code, never personal data)';
const STAFF = 'about staff users or configuration, not CRM data subjects';
const WORKFLOW = 'a Temporal workflow id (ids only)';

export const PERSONAL_COLUMNS: Record<string, Record<string, ColumnClass>> = {
  kysely_migration: { name: no('migration file name'), timestamp: no('when a migration ran') },
  kysely_migration_lock: { id: no('migration lock row id') },

  users: { name: no(`a staff user's display name; ${STAFF}`), role: no(VOCABULARY) },
  api_keys: { name: no(`a key's label; ${STAFF}`), prefix: no('public key prefix'), key_hash: no('SHA-256 of an API key') },
  companies: {
    name: no('an organisation, not a natural person'),
    domains: no("the organisation's email domains"),
    status: no(VOCABULARY),
    type: no("the organisation's type"),
    psa_client_id: no("the PSA client's id"),
    external_ids: no("the organisation's ids in other systems"),
    custom_fields: no("the CRM's custom fields of the organisation"),
    address: no("the organisation's postal address"),
  },
  contacts: {
    email: yes(contactRow, 'null', 'address as given'),
    email_normalized: yes(contactRow, 'null', 'normalised address'),
    first_name: yes(contactRow, 'null', 'first name'),
    last_name: yes(contactRow, 'null', 'last name'),
    time_zone: yes(contactRow, 'null', "the person's time zone (location)"),
    external_ids: yes(contactRow, 'empty_object', "the person's ids in other systems"),
    custom_fields: yes(contactRow, 'empty_object', "the CRM's custom fields of the person"),
    address: yes(contactRow, 'null', "the person's postal address (CRM sync)"),
    status: no(VOCABULARY),
    consent: no(VOCABULARY),
  },
  activities: {
    data: yes({ kind: 'contacts', column: 'contact_id' }, 'redact_json', 'activity details (clicked URLs, field names, ids)'),
    type: no(VOCABULARY),
    reason_code: no(CODE),
    actor: no('user:<id>, workflow:<id>, webhook:<source> (ids only)'),
    dedupe_key: no('kind and ids of the entry'),
  },
  // CRM sync (migration 0050). A CRM record is the subject's when it is linked to one of its contacts or
  // carries its address; sync keeps only the link (external id, stopped with ERASED) so it is never re-created.
  connectors: {
    type: no(VOCABULARY), name: no(`a connector's label; ${STAFF}`), status: no(VOCABULARY), settings: no(`connection settings without the secret; ${STAFF}`),
    secret: no('the connected app\'s client secret, sealed with SECRETS_KEY'), workflow_id: no(WORKFLOW), last_error_code: no(CODE),
  },
  sync_cursors: { object: no(VOCABULARY), full_load: no(VOCABULARY), full_load_state: no('a bulk job id, locator and watermark') },
  // Versions first: erase_crm runs tables in this order, and finds them through sync_records' links and addresses.
  sync_record_versions: {
    snapshot: yes(syncVersion, 'delete_row', 'an earlier read of the CRM record'),
    decision: no('deleted with the row (snapshot)'),
    object: no(VOCABULARY), external_id: no("Salesforce's opaque record id"), status: no(VOCABULARY), code: no(CODE),
  },
  sync_records: {
    snapshot: yes(syncRecord, 'null', 'the CRM record as last read (names, address, email)'),
    applied: yes(syncRecord, 'empty_object', 'the local values sync last wrote'),
    email_normalized: yes(syncRecord, 'null', "the CRM record's normalised address"),
    decision: yes(syncRecord, 'redact_json', 'the last decision (rules, codes, details)'),
    object: no(VOCABULARY), external_id: no("Salesforce's opaque record id (kept so an erased record is never re-created)"),
    local_kind: no(VOCABULARY), status: no(VOCABULARY), code: no(CODE), field_sources: no('field name → which side last wrote it'),
    account_external_id: no("the Account's Salesforce id"), master_external_id: no("a merge survivor's Salesforce id"),
  },
  sync_pending: { object: no(VOCABULARY), external_id: no("Salesforce's opaque record id"), op: no(VOCABULARY), code: no(CODE) },
  sync_cycles: { kind: no(VOCABULARY), status: no(VOCABULARY), code: no(CODE), codes: no(IDS), errors: no('codes, Salesforce error codes and record ids') },
  sync_review_items: { object: no(VOCABULARY), external_id: no("Salesforce's opaque record id"), status: no(VOCABULARY), resolved_by: no('user:<id>') },
  // Two-way sync (0060): ids, codes and field names only; erasure deletes the subject's queue entries (SUBJECT_LINK_TABLES).
  sync_outbound: { local_kind: no(VOCABULARY), local_id: no('a contact, company or activity id'), state: no(VOCABULARY), code: no(CODE), error_code: no("Salesforce's error code"), decision: no(IDS) },
  sync_record_pushes: { object: no(VOCABULARY), external_id: no("Salesforce's opaque record id"), local_kind: no(VOCABULARY), local_id: no('a contact, company or activity id'), outcome: no(VOCABULARY), code: no(CODE), error_code: no("Salesforce's error code"), fields: no('field names') },
  sync_replays: { status: no(VOCABULARY), requested_by: no('user:<id>') },
  sync_replay_items: { object: no(VOCABULARY), external_id: no("Salesforce's opaque record id") },
  audit_log: {
    request_id: no('generated request id'),
    role: no(VOCABULARY),
    method: no('HTTP method'),
    route: no('the route pattern (no query string, no values)'),
    entity_type: no('what kind of entity'),
    entity_id: no('the entity id'),
    client_request_id: no("the caller's correlation id (format-checked, 64 chars)"),
    client_address: no(`the IP address of a failed authentication: the API caller's, ${STAFF}; pruned after 30 days`),
    outcome: no(VOCABULARY),
  },
  mailboxes: {
    provider: no(VOCABULARY),
    address: no(`the sending mailbox; ${STAFF}`),
    display_name: no(`the sending mailbox's name; ${STAFF}`),
    settings: no('transport settings (host, port, tenant)'),
    secret: no('sealed transport credential'),
  },
  mailbox_send_counters: { window_kind: no(VOCABULARY) },
  sequences: { name: no('a sequence name'), status: no(VOCABULARY), send_window: no('days and hours'), time_zone: no("the sequence's time zone") },
  sequence_steps: { subject: no('the template (placeholders, not values)'), html: no('the template'), text: no('the template'), delay: no('ISO-8601 duration') },
  enrollments: { status: no(VOCABULARY), ended_reason: no(CODE), waiting_for: no('reason codes') },
  email_sends: {
    links: yes({ kind: 'enrollments', column: 'enrollment_id' }, 'empty_array', 'the rendered link URLs of a sent email (may carry the address)'),
    status: no(VOCABULARY),
    message_id: no('<send-<id>@crm-workflows.local>'),
    reason_code: no(CODE),
  },
  suppressions: {
    address_normalized: yes({ kind: 'addresses', column: 'address_normalized' }, 'delete_row', 'the suppressed address in clear (replaced by the keyed hash)'),
    note: yes({ kind: 'addresses', column: 'address_normalized' }, 'delete_row', "a note on the address's suppression"),
    address_hash: no('keyed HMAC of an erased address (ERASURE_HASH_SECRET): kept so the address stays suppressed'),
    reason: no(VOCABULARY),
    created_by: no('user:<id> or workflow:<id>'),
  },
  promotions: {
    status: no(VOCABULARY),
    failed_step: no(VOCABULARY),
    code: no(CODE),
    message: no('step failure text written by our code (ids, codes)'),
    psa_client_id: no("the PSA client's id"),
    steps: no(IDS),
    contacts_skipped: no('[{ contactId, code }]'),
    workflow_id: no(WORKFLOW),
    run_id: no('Temporal run id'),
  },
  dedup_scans: { status: no(VOCABULARY), trigger: no(VOCABULARY), code: no(CODE), workflow_id: no(WORKFLOW) },
  duplicate_pairs: { reasons: no('reason codes'), status: no(VOCABULARY) },
  contact_merges: {
    snapshot: yes({ kind: 'merges' }, 'null', 'the merged contacts as they were (names, addresses)'),
    fields: no('{ field: contactId }'),
    status: no(VOCABULARY),
    code: no(CODE),
    message: no('refusal text written by our code (ids, codes)'),
    result: no(IDS),
    workflow_id: no(WORKFLOW),
  },
  contact_merge_moves: { kind: no(VOCABULARY), row_ref: no('id of a moved row') },
  // Company merges (migration 0070): ids, counts and field names only.
  company_merges: { result: no(IDS), merged_by: no('user:<id>') },
  company_merge_moves: { kind: no(VOCABULARY), row_ref: no("id of a moved row (contact, activity, deal, promotion), or connector|object|Salesforce id of a CRM link") },
  imports: {
    status: no(VOCABULARY),
    on_existing: no(VOCABULARY),
    mapping: no('field → column header'),
    ignored_columns: no('column headers'),
    encoding: no('character encoding name'),
    delimiter: no('one character'),
    code: no(CODE),
    message: no('failure text written by our code'),
    requested_role: no(VOCABULARY),
    workflow_id: no(WORKFLOW),
  },
  import_rows: {
    email: yes({ kind: 'addresses', column: 'email_normalized' }, 'delete_row', 'a staged row of an uploaded file'),
    email_normalized: yes({ kind: 'addresses', column: 'email_normalized' }, 'delete_row', 'a staged row of an uploaded file'),
    first_name: yes({ kind: 'addresses', column: 'email_normalized' }, 'delete_row', 'a staged row of an uploaded file'),
    last_name: yes({ kind: 'addresses', column: 'email_normalized' }, 'delete_row', 'a staged row of an uploaded file'),
    time_zone: yes({ kind: 'addresses', column: 'email_normalized' }, 'delete_row', 'a staged row of an uploaded file'),
    company_id: no("an organisation's id as given in the file"),
    company_name: no('an organisation name'),
    consent: no('a vocabulary value as given in the file'),
    status: no('a vocabulary value as given in the file'),
  },
  import_errors: { field: no('a field name'), code: no(CODE), message: no('written by our code: row numbers, field names, contact ids, never values') },
  pipelines: { name: no('a pipeline name'), restrict_stage_changes: no(VOCABULARY) },
  pipeline_stages: { name: no('a stage name'), kind: no(VOCABULARY) },
  deals: { name: no("the deal's title (business, not a person; its contacts are deal_contacts rows)"), status: no(VOCABULARY), currency: no('ISO 4217 code'), stage_changed_by: no('user:<id> or rule:<id>') },
  deal_stage_history: { event: no(VOCABULARY), reason_code: no(CODE), data: no(IDS) },
  deal_rules: { trigger_type: no(VOCABULARY), trigger_duration: no('ISO-8601 duration'), action_type: no(VOCABULARY), action_title: no("a task title template of an automation rule; configuration"), action_due_in: no('ISO-8601 duration') },
  deal_rule_firings: { trigger_key: no('event key (ids)'), status: no(VOCABULARY), reason_code: no(CODE), result: no(IDS) },
  deal_tasks: { title: no("a task title from an automation rule's template") },
  erasure_requests: {
    subject_sealed: yes({ kind: 'erasure_request' }, 'null', 'the subject while the erasure runs, sealed with SECRETS_KEY; cleared by the receipt step'),
    subject_kind: no(VOCABULARY),
    subject_hash: no('keyed HMAC of the address (ERASURE_HASH_SECRET)'),
    jurisdiction: no('a jurisdiction code'),
    reference: no('a ticket number; the API refuses one that holds an address'),
    status: no(VOCABULARY),
    steps: no('step names, statuses, codes and details written by our code (counts, ids)'),
    systems: no('systems, statuses, codes and details written by our code'),
    extension_reason: no('why the deadline was extended; the API refuses one that holds an address'),
    code: no(CODE),
    workflow_id: no(WORKFLOW),
  },
  erasure_retained_records: {
    system: no(VOCABULARY),
    kind: no(VOCABULARY),
    reference: no("the invoice's id in Books (a financial reference)"),
    currency: no('ISO 4217 code'),
    legal_basis: no('the law that requires keeping the record'),
    jurisdiction: no('a jurisdiction code'),
  },
  erasure_receipts: {
    kind: no(VOCABULARY),
    dedupe_key: no('kind and request id'),
    body: no('request id, subject as a keyed hash, step outcomes, systems, retained references'),
    prev_hash: no('SHA-256 hex'),
    hash: no('SHA-256 hex'),
  },
};

/** Tables whose rows link a subject's contacts to something else: erasure deletes those rows. */
export const SUBJECT_LINK_TABLES: ReadonlyArray<{ table: string; columns: readonly string[] }> = [
  { table: 'deal_contacts', columns: ['contact_id'] },
  { table: 'duplicate_pairs', columns: ['contact_a', 'contact_b'] },
  { table: 'contact_merge_moves', columns: ['from_contact_id'] },
  { table: 'sync_outbound', columns: ['contact_id'] },
];

export interface PersonalColumn {
  table: string;
  column: string;
  scope: SubjectScope;
  erase: EraseAction;
}

export function personalColumns(): PersonalColumn[] {
  return Object.entries(PERSONAL_COLUMNS).flatMap(([table, columns]) =>
    Object.entries(columns).flatMap(([column, c]) => (c.personal ? [{ table, column, scope: c.scope, erase: c.erase }] : [])),
  );
}

export function classifiedColumns(): Array<{ table: string; column: string; personal: boolean }> {
  return Object.entries(PERSONAL_COLUMNS).flatMap(([table, columns]) => Object.entries(columns).map(([column, c]) => ({ table, column, personal: c.personal })));
}
