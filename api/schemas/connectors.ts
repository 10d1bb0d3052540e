import { z } from 'zod';
import type { SyncCycleRow, SyncReviewItemRow } from '../../db/sync-tables';
import { CONFLICT_POLICIES, CONNECTOR_STATUSES, CONNECTOR_TYPES, REVIEW_STATUSES, SYNC_CYCLE_KINDS, SYNC_CYCLE_STATUSES, SYNC_OBJECTS, SYNC_RECORD_STATUSES, SYNC_SCOPES } from '../../domain/sync/vocabulary';
import { pageQuery } from './common';

/**
 * Connector requests and replies. The request side states each field's shape; defaults and the
 * cross-field rules (filter object among the synced objects, ISO durations) are applied by the service
 * from domain/sync/settings.ts, which names the field at fault the same way (`body.settings.…`).
 */
const crmField = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,79}$/, 'a Salesforce field API name such as Type or Active__c').meta({ examples: ['Active__c'] });
const object = z.enum(SYNC_OBJECTS);
const isoDuration = z.string().min(2).max(40).meta({ examples: ['PT2M'] });

const filter = z.strictObject({ object, field: crmField, values: z.array(z.string().max(255)).min(1).max(100) }).meta({ id: 'SyncFilter' });
const customField = z.strictObject({ object, field: crmField, policy: z.enum(CONFLICT_POLICIES).optional() });

export const syncSettingsFields = {
  objects: z.array(object).min(1).max(3).optional(),
  cadence: isoDuration.optional(),
  recordCap: z.number().int().min(1).max(100_000).optional(),
  scope: z.enum(SYNC_SCOPES).optional(),
  filter: filter.nullable().optional(),
  activeField: crmField.optional(),
  domainsField: crmField.nullable().optional(),
  deleteInactiveContacts: z.boolean().optional(),
  skipB2C: z.boolean().optional(),
  detectDuplicatesOnCreate: z.boolean().optional(),
  syncAddresses: z.boolean().optional(),
  customFields: z.array(customField).max(50).optional(),
  allowDuplicateEmails: z.boolean().optional(),
  apiBudgetShare: z.number().min(0.01).max(1).optional(),
  quotaBackoff: isoDuration.optional(),
  outbound: z.boolean().optional(),
  externalIdField: crmField.optional(),
  pushActivities: z.boolean().optional(),
};

const loginUrl = z.string().max(500).regex(/^https?:\/\/\S+$/, 'an http(s) URL: the org\'s My Domain URL').meta({ examples: ['https://acme.my.salesforce.com'] });
const apiVersion = z.string().regex(/^\d{2,3}\.0$/, 'an API version like 62.0');
const secret = z.string().min(1).max(255);

export const createConnectorBody = z.strictObject({
  type: z.enum(CONNECTOR_TYPES),
  name: z.string().trim().min(1).max(200),
  settings: z.strictObject({ loginUrl, clientId: z.string().min(1).max(255), clientSecret: secret, apiVersion: apiVersion.optional(), ...syncSettingsFields }),
});

/** PATCH: settings are merged into the stored ones; an omitted clientSecret keeps the stored one. */
export const updateConnectorBody = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    settings: z.strictObject({ loginUrl: loginUrl.optional(), clientId: z.string().min(1).max(255).optional(), clientSecret: secret.optional(), apiVersion: apiVersion.optional(), ...syncSettingsFields }).optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'at least one field is required' });

export const connectorSchema = z
  .object({
    id: z.string(),
    type: z.enum(CONNECTOR_TYPES),
    name: z.string(),
    status: z.enum(CONNECTOR_STATUSES),
    workflowId: z.string(),
    settings: z.object({
      loginUrl: z.string(),
      clientId: z.string(),
      apiVersion: z.string(),
      /** The secret itself is write-only. */
      hasClientSecret: z.boolean(),
      objects: z.array(object),
      cadence: z.string(),
      recordCap: z.number(),
      scope: z.enum(SYNC_SCOPES),
      filter: z.object({ object, field: z.string(), values: z.array(z.string()) }).nullable(),
      activeField: z.string(),
      domainsField: z.string().nullable(),
      deleteInactiveContacts: z.boolean(),
      skipB2C: z.boolean(),
      detectDuplicatesOnCreate: z.boolean(),
      syncAddresses: z.boolean(),
      customFields: z.array(z.object({ object, field: z.string(), policy: z.enum(CONFLICT_POLICIES) })),
      allowDuplicateEmails: z.boolean(),
      apiBudgetShare: z.number(),
      quotaBackoff: z.string(),
      outbound: z.boolean(),
      externalIdField: z.string(),
      pushActivities: z.boolean(),
    }),
    lastError: z.object({ code: z.string(), at: z.string() }).nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Connector' });

export const externalIdParams = z.strictObject({ id: z.uuid({ message: 'must be a UUID' }), externalId: z.string().regex(/^[A-Za-z0-9]{15,18}$/, 'a Salesforce record id (15 or 18 characters)') });
export const reviewItemParams = z.strictObject({ id: z.uuid({ message: 'must be a UUID' }), itemId: z.uuid({ message: 'must be a UUID' }) });

const check = z.object({ rule: z.string(), pass: z.boolean(), code: z.string().nullable(), detail: z.string().optional(), blocking: z.boolean() });
export const syncRecordSchema = z
  .object({
    connectorId: z.string(),
    object,
    externalId: z.string(),
    status: z.enum([...SYNC_RECORD_STATUSES, 'queued']),
    code: z.string().nullable(),
    local: z.object({ kind: z.enum(['company', 'contact']), id: z.string() }).nullable(),
    masterRecordId: z.string().nullable(),
    decision: z.object({
      outcome: z.string().nullable(),
      code: z.string().nullable(),
      cycleId: z.string().nullable(),
      decidedAt: z.string().nullable(),
      checks: z.array(check),
      conflicts: z.array(z.object({ field: z.string(), code: z.string() })),
    }),
    fields: z.array(z.object({ field: z.string(), lastWrittenBy: z.string() })),
    queue: z.object({ op: z.string(), code: z.string().nullable(), since: z.string(), priority: z.number() }).nullable(),
    review: z.object({ id: z.string(), status: z.string(), candidateIds: z.array(z.string()) }).nullable(),
    crmModifiedAt: z.string().nullable(),
  })
  .meta({ id: 'SyncRecord' });

export const recordListQuery = z.strictObject({ ...pageQuery, status: z.enum([...SYNC_RECORD_STATUSES, 'queued']).optional(), code: z.string().regex(/^[A-Z_]{2,60}$/, 'a reason code').optional(), object: object.optional() });

export const contactSyncSchema = z.object({ contactId: z.string(), links: z.array(syncRecordSchema) }).meta({ id: 'ContactSync' });

export const cycleSchema = z
  .object({
    id: z.string(),
    kind: z.enum(SYNC_CYCLE_KINDS),
    status: z.enum(SYNC_CYCLE_STATUSES),
    code: z.string().nullable(),
    startedAt: z.string(),
    endedAt: z.string().nullable(),
    deferredUntil: z.string().nullable(),
    records: z.object({ read: z.number(), applied: z.number(), skipped: z.number(), byCode: z.record(z.string(), z.number()) }),
    apiCalls: z.number(),
    budget: z.object({ allowance: z.number().nullable(), left: z.number().nullable() }),
    /** The push: outbound queue entries decided, CRM writes that succeeded, CRM writes refused. */
    outbound: z.object({ decided: z.number(), pushed: z.number(), failed: z.number() }),
    errors: z.array(z.object({ code: z.string(), errorCode: z.string().optional(), count: z.number(), records: z.array(z.string()) })),
  })
  .meta({ id: 'SyncCycle' });

export function toCycleJson(c: SyncCycleRow): z.infer<typeof cycleSchema> {
  return {
    id: c.id,
    kind: c.kind,
    status: c.status,
    code: c.code,
    startedAt: c.started_at.toISOString(),
    endedAt: c.ended_at?.toISOString() ?? null,
    deferredUntil: c.deferred_until?.toISOString() ?? null,
    records: { read: c.records_read, applied: c.records_applied, skipped: c.records_skipped, byCode: c.codes },
    apiCalls: c.api_calls,
    budget: { allowance: c.budget_allowance, left: c.budget_left },
    outbound: { decided: c.outbound_read, pushed: c.outbound_pushed, failed: c.outbound_failed },
    errors: c.errors,
  };
}

export const healthSchema = z
  .object({
    connectorId: z.string(),
    status: z.string(),
    lastError: z.object({ code: z.string(), at: z.string() }).nullable(),
    apiCalls: z.object({ last24h: z.number(), allowance: z.number().nullable(), share: z.number(), org: z.object({ used: z.number(), limit: z.number(), seenAt: z.string() }).nullable() }),
    errors: z.array(z.object({ code: z.string(), errorCode: z.string().nullable(), count: z.number(), records: z.array(z.string()), lastAt: z.string() })),
    recordsByStatus: z.record(z.string(), z.number()),
    recordsByCode: z.array(z.object({ code: z.string(), count: z.number(), sample: z.array(z.string()) })),
    queue: z.object({ length: z.number(), overCap: z.number(), reevaluations: z.number(), oldestAt: z.string().nullable(), ageSeconds: z.number().nullable() }),
    review: z.object({ open: z.number() }),
    cursors: z.array(z.object({ object: z.string(), updatedFrom: z.string().nullable(), deletedFrom: z.string().nullable(), ageSeconds: z.number().nullable(), fullLoad: z.string().nullable(), loadedAt: z.string().nullable() })),
    lastSuccessfulCycle: z.object({ id: z.string(), kind: z.string(), endedAt: z.string() }).nullable(),
    lastCycle: z.object({ id: z.string(), kind: z.string(), status: z.string(), code: z.string().nullable(), startedAt: z.string() }).nullable(),
  })
  .meta({ id: 'ConnectorHealth' });

export const reviewItemSchema = z
  .object({
    id: z.string(),
    connectorId: z.string(),
    object,
    externalId: z.string(),
    candidateIds: z.array(z.string()),
    status: z.enum(REVIEW_STATUSES),
    resolvedLocalId: z.string().nullable(),
    createdAt: z.string(),
    resolvedAt: z.string().nullable(),
  })
  .meta({ id: 'SyncReviewItem' });

export function toReviewJson(r: SyncReviewItemRow): z.infer<typeof reviewItemSchema> {
  return { id: r.id, connectorId: r.connector_id, object: r.object, externalId: r.external_id, candidateIds: r.candidate_ids, status: r.status, resolvedLocalId: r.resolved_local_id, createdAt: r.created_at.toISOString(), resolvedAt: r.resolved_at?.toISOString() ?? null };
}

export const reviewListQuery = z.strictObject({ ...pageQuery, status: z.enum(REVIEW_STATUSES).optional() });
export const resolveReviewBody = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('link'), localId: z.uuid({ message: 'must be a UUID' }) }),
  z.strictObject({ action: z.literal('create') }),
]);
