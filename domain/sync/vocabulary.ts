/**
 * CRM sync vocabularies: the one source for types, zod enums and the SQL CHECK constraints
 * (test/db/vocabulary-constraints.test.ts compares them).
 */
export const CONNECTOR_TYPES = ['salesforce'] as const;
export type ConnectorType = (typeof CONNECTOR_TYPES)[number];

/** `auth_failed`: the CRM refused the credentials; the loop waits for new settings or a resume. */
export const CONNECTOR_STATUSES = ['active', 'paused', 'auth_failed'] as const;
export type ConnectorStatus = (typeof CONNECTOR_STATUSES)[number];

/** CRM objects a connector syncs, in the order a cycle applies them (companies before people). */
export const SYNC_OBJECTS = ['Account', 'Contact', 'Lead'] as const;
export type SyncObject = (typeof SYNC_OBJECTS)[number];

export const SYNC_SCOPES = ['all', 'linked_only'] as const;
export type SyncScope = (typeof SYNC_SCOPES)[number];

export const CONFLICT_POLICIES = ['crm_wins', 'local_overrides'] as const;
export type ConflictPolicy = (typeof CONFLICT_POLICIES)[number];

/**
 * Where a CRM record stands: `synced` (its local record follows it), `skipped` (never linked: a rule
 * said no), `frozen` (linked, keeps its last data, no longer updated), `stopped` (deleted, merged or
 * converted in the CRM: not recreated), `review` (a person must resolve a possible duplicate),
 * `deleted_local` (its local contact was
 * deleted because it became inactive).
 */
export const SYNC_RECORD_STATUSES = ['synced', 'skipped', 'frozen', 'stopped', 'review', 'deleted_local'] as const;
export type SyncRecordStatus = (typeof SYNC_RECORD_STATUSES)[number];

/** Local kinds a CRM record links to. */
export const SYNC_LOCAL_KINDS = ['company', 'contact'] as const;
export type SyncLocalKind = (typeof SYNC_LOCAL_KINDS)[number];

/** What a pending entry asks: read the record from the CRM, handle a CRM delete, or re-decide from the stored snapshot. */
export const SYNC_PENDING_OPS = ['upsert', 'delete', 'reeval'] as const;
export type SyncPendingOp = (typeof SYNC_PENDING_OPS)[number];

/** `replay`: a past window re-applied from stored snapshots (POST /v1/connectors/:id/replay). */
export const SYNC_CYCLE_KINDS = ['initial', 'incremental', 'resync', 'replay'] as const;
export type SyncCycleKind = (typeof SYNC_CYCLE_KINDS)[number];

export const SYNC_CYCLE_STATUSES = ['running', 'completed', 'deferred', 'failed'] as const;
export type SyncCycleStatus = (typeof SYNC_CYCLE_STATUSES)[number];

export const REVIEW_STATUSES = ['open', 'linked', 'created'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

/** Local fields the app owns: a CRM value never overwrites them, whatever the mapping says. */
export const APP_OWNED_FIELDS = ['score', 'grade'] as const;

/** Why an object is read in full on the next cycle. */
export const SYNC_FULL_LOAD_REASONS = ['initial', 'resync', 'requested'] as const;
export type SyncFullLoadReason = (typeof SYNC_FULL_LOAD_REASONS)[number];

/** Local records the outbound direction pushes: companies and contacts, and email activity (as CRM Tasks). */
export const OUTBOUND_KINDS = ['company', 'contact', 'activity'] as const;
export type OutboundKind = (typeof OUTBOUND_KINDS)[number];

/**
 * An outbound queue entry: `queued` (to push), `parked` (a rule said no: its code says which; a change
 * of the record or of the facts queues it again), `failed` (the CRM refused it OUTBOUND_MAX_ATTEMPTS
 * times: waits for the record to change).
 */
export const OUTBOUND_STATES = ['queued', 'parked', 'failed'] as const;
export type OutboundState = (typeof OUTBOUND_STATES)[number];

export const OUTBOUND_PUSH_OUTCOMES = ['created', 'updated', 'failed'] as const;
export type OutboundPushOutcome = (typeof OUTBOUND_PUSH_OUTCOMES)[number];

/** CRM objects the push writes (Task: email activity on a person). */
export const OUTBOUND_OBJECTS = ['Account', 'Contact', 'Lead', 'Task'] as const;
export type OutboundObject = (typeof OUTBOUND_OBJECTS)[number];

export const REPLAY_STATUSES = ['queued', 'running', 'completed', 'failed'] as const;
export type ReplayStatus = (typeof REPLAY_STATUSES)[number];

/** Activity-log types pushed to the CRM as completed Tasks on the person. */
export const PUSHED_ACTIVITY_TYPES = ['email_sent', 'email_opened', 'replied', 'unsubscribed'] as const;
