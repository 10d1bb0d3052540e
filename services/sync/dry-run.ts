/**
 * `POST /v1/connectors/:id/dry-run { settings }`: what a settings change would do to the records the
 * connector knows, without writing anything. Every stored CRM record is decided again from its
 * snapshot by the loop's own code (applyRecords in dry-run mode: the same fact lookups, the pure rules
 * of domain/sync/rules.ts and the per-field plan, accounts before their contacts) inside one read-only
 * snapshot transaction; each decision is compared with the record's state today. Ids and codes only.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../db/database';
import type { CrmSnapshot } from '../../domain/sync/snapshot';
import { SYNC_OBJECTS, type SyncObject, type SyncRecordStatus } from '../../domain/sync/vocabulary';
import { crmSyncContract } from '../../workflows/crm-sync/contract';
import { applyRecords, type DryRunCollector, type DryRunDecision } from './apply-records';
import { APPLY_BATCH } from './apply-pending';
import { requireConnector } from './connector-store';
import { validated } from './connectors';

/**
 * Where a record would go: create (a local record created or adopted), update (syncing, local fields
 * would change), stopSyncing (syncs today, would not: frozen records keep their last data), resume
 * (frozen today, would sync again), freeze (not syncing today, frozen under another code), delete
 * (the local contact deleted: DELETED_INACTIVE), skip (not linked today, skipped under another code).
 */
export const DRY_RUN_CHANGES = ['create', 'update', 'stopSyncing', 'resume', 'freeze', 'delete', 'skip'] as const;
export type DryRunChange = (typeof DRY_RUN_CHANGES)[number];
const SAMPLES = 50;

export interface DryRunSample {
  object: SyncObject;
  externalId: string;
  from: { status: SyncRecordStatus | null; code: string | null };
  to: { status: SyncRecordStatus; outcome: string; code: string | null };
  fields?: string[];
}

export interface DryRunReport {
  connectorId: string;
  settingsChanged: string[];
  evaluated: number;
  unchanged: number;
  changes: Record<DryRunChange, { count: number; byCode: Record<string, number>; samples: DryRunSample[] }>;
  /** The deciding codes of every evaluated record under the new settings. */
  codes: Record<string, number>;
}

export function changeOf(d: Pick<DryRunDecision, 'before' | 'outcome' | 'status' | 'code' | 'changedFields'>): DryRunChange | null {
  const before = d.before?.status ?? null;
  if (d.outcome === 'delete_local') return before === 'deleted_local' ? null : 'delete';
  if (before === 'synced') {
    if (d.status !== 'synced') return 'stopSyncing';
    return d.changedFields.length > 0 ? 'update' : null;
  }
  if (d.outcome === 'create' || d.outcome === 'link') return 'create';
  if (d.status === 'synced') return 'resume';
  if (before === d.status && (d.before?.code ?? null) === d.code) return null;
  return d.status === 'frozen' ? 'freeze' : 'skip';
}

export async function dryRun(db: Db, input: { connectorId: string; settings: Record<string, unknown>; erasureSecret: string }): Promise<DryRunReport> {
  const connector = await requireConnector(db, input.connectorId);
  const current = connector.settings;
  const next = validated({ ...current, ...input.settings }, 'body.settings');
  const report: DryRunReport = {
    connectorId: input.connectorId,
    settingsChanged: Object.keys(next).filter((k) => JSON.stringify((current as Record<string, unknown>)[k]) !== JSON.stringify((next as Record<string, unknown>)[k])).sort(),
    evaluated: 0,
    unchanged: 0,
    changes: Object.fromEntries(DRY_RUN_CHANGES.map((c) => [c, { count: 0, byCode: {}, samples: [] }])) as unknown as DryRunReport['changes'],
    codes: {},
  };
  const collector: DryRunCollector = {
    accounts: new Map(),
    record(d) {
      report.evaluated++;
      if (d.code) report.codes[d.code] = (report.codes[d.code] ?? 0) + 1;
      const change = changeOf(d);
      if (!change) return void report.unchanged++;
      const bucket = report.changes[change];
      bucket.count++;
      const code = d.code ?? 'NONE';
      bucket.byCode[code] = (bucket.byCode[code] ?? 0) + 1;
      if (bucket.samples.length < SAMPLES) {
        bucket.samples.push({ object: d.object, externalId: d.externalId, from: { status: d.before?.status ?? null, code: d.before?.code ?? null }, to: { status: d.status, outcome: d.outcome, code: d.code }, ...(d.changedFields.length > 0 ? { fields: d.changedFields } : {}) });
      }
    },
  };
  const ctx = { connectorId: input.connectorId, settings: next, cycleId: randomUUID(), actor: crmSyncContract.actor(input.connectorId), erasureSecret: input.erasureSecret, dryRun: collector };
  await db.transaction().setIsolationLevel('repeatable read').execute(async (tx) => {
    await sql`set transaction read only`.execute(tx);
    for (const object of SYNC_OBJECTS.filter((o) => next.objects.includes(o))) {
      let after = '';
      for (;;) {
        const rows = await tx
          .selectFrom('sync_records')
          .select(['external_id', 'snapshot'])
          .where('connector_id', '=', input.connectorId)
          .where('object', '=', object)
          .where('snapshot', 'is not', null)
          .where('external_id', '>', after)
          .orderBy('external_id')
          .limit(APPLY_BATCH)
          .execute();
        if (rows.length === 0) break;
        await applyRecords(tx, ctx, object, rows.map((r) => ({ snapshot: { ...(r.snapshot as Record<string, unknown>), Id: r.external_id } as CrmSnapshot, fromCrm: false })));
        after = rows[rows.length - 1]!.external_id;
      }
    }
  });
  return report;
}
