import { z } from 'zod';
import { OUTBOUND_KINDS, OUTBOUND_STATES, REPLAY_STATUSES, SYNC_OBJECTS, SYNC_RECORD_STATUSES } from '../../domain/sync/vocabulary';
import { DRY_RUN_CHANGES } from '../../services/sync/dry-run';
import { pageQuery } from './common';
import { syncSettingsFields } from './connectors';

/** Two-way CRM sync requests and replies (README "CRM sync with Salesforce", "Outbound, dry run, replay"): ids, codes and field names only. */
const object = z.enum(SYNC_OBJECTS);
const check = z.object({ rule: z.string(), pass: z.boolean(), code: z.string().nullable(), detail: z.string().optional() });

export const outboundListQuery = z.strictObject({
  ...pageQuery,
  state: z.enum(OUTBOUND_STATES).optional(),
  code: z.string().regex(/^[A-Z_]{2,60}$/, 'a reason code').optional(),
  kind: z.enum(OUTBOUND_KINDS).optional(),
});

export const outboundEntrySchema = z
  .object({
    kind: z.enum(OUTBOUND_KINDS),
    localId: z.string(),
    contactId: z.string().nullable(),
    state: z.enum(OUTBOUND_STATES),
    code: z.string().nullable(),
    errorCode: z.string().nullable(),
    attempts: z.number(),
    priority: z.number(),
    decision: z.object({ outcome: z.string().nullable(), code: z.string().nullable(), checks: z.array(check) }).nullable(),
    enqueuedAt: z.string(),
    decidedAt: z.string().nullable(),
  })
  .meta({ id: 'SyncOutboundEntry' });

/** The settings to try: the sync settings PATCH /v1/connectors/:id takes (credentials play no part). */
export const dryRunBody = z.strictObject({ settings: z.strictObject(syncSettingsFields) });

const sample = z.object({
  object,
  externalId: z.string(),
  from: z.object({ status: z.enum(SYNC_RECORD_STATUSES).nullable(), code: z.string().nullable() }),
  to: z.object({ status: z.enum(SYNC_RECORD_STATUSES), outcome: z.string(), code: z.string().nullable() }),
  fields: z.array(z.string()).optional(),
});
const bucket = z.object({ count: z.number(), byCode: z.record(z.string(), z.number()), samples: z.array(sample) });

export const dryRunSchema = z
  .object({
    connectorId: z.string(),
    settingsChanged: z.array(z.string()),
    evaluated: z.number(),
    unchanged: z.number(),
    changes: z.object(Object.fromEntries(DRY_RUN_CHANGES.map((c) => [c, bucket])) as Record<(typeof DRY_RUN_CHANGES)[number], typeof bucket>),
    codes: z.record(z.string(), z.number()),
  })
  .meta({ id: 'SyncDryRun' });

export const replayBody = z
  .strictObject({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) })
  .meta({ examples: [{ from: '2026-03-01T00:00:00Z', to: '2026-03-02T00:00:00Z' }] });

export const replaySchema = z
  .object({
    id: z.string(),
    connectorId: z.string(),
    from: z.string(),
    to: z.string(),
    status: z.enum(REPLAY_STATUSES),
    cycleId: z.string().nullable(),
    records: z.number(),
    requestedAt: z.string(),
    endedAt: z.string().nullable(),
  })
  .meta({ id: 'SyncReplay' });

export const replayParams = z.strictObject({ id: z.uuid({ message: 'must be a UUID' }), replayId: z.uuid({ message: 'must be a UUID' }) });

const decision = z.object({ outcome: z.string().nullable(), code: z.string().nullable(), direction: z.enum(['inbound', 'outbound']), checks: z.array(check), conflicts: z.array(z.object({ field: z.string(), code: z.string() })) });
export const recordHistorySchema = z
  .object({
    connectorId: z.string(),
    object,
    externalId: z.string(),
    entries: z.array(
      z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('snapshot'), at: z.string(), current: z.boolean(), cycleId: z.string().nullable(), status: z.string(), code: z.string().nullable(), decision, snapshot: z.object({ crmModifiedAt: z.string().nullable(), changedFields: z.array(z.string()) }).nullable() }),
        z.object({ kind: z.literal('push'), at: z.string(), cycleId: z.string().nullable(), outcome: z.string(), code: z.string().nullable(), errorCode: z.string().nullable(), fields: z.array(z.string()) }),
      ]),
    ),
  })
  .meta({ id: 'SyncRecordHistory' });
