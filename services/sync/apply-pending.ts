/**
 * Applies the pending queue one batch per call (one transaction): first re-evaluations (decided
 * again from stored snapshots, no CRM call), then change-feed entries up to the cycle's record cap,
 * fetched with sObject Collections retrieve (≤ 2,000 ids a call). A CRM delete is resolved with
 * queryAll (IsDeleted, MasterRecordId: merged or deleted). The pending rows are removed in the same
 * transaction as the apply, so a retry after a crash re-reads exactly what did not commit.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database';
import { fieldsToRead, toSnapshot, type CrmSnapshot } from '../../domain/sync/snapshot';
import type { SyncSettings } from '../../domain/sync/settings';
import { SYNC_OBJECTS, type SyncObject } from '../../domain/sync/vocabulary';
import type { SalesforceClient } from '../../integrations/salesforce';
import { applyRecords, type ApplyContext, type ApplyResult, type IncomingRecord } from './apply-records';
import { addCycleCounts } from './cycles';

export const APPLY_BATCH = 2000;
/** Ids per queryAll `IN (…)` (keeps the SOQL well under its length limit). */
const SOQL_ID_CHUNK = 500;

export interface PendingBatchResult {
  state: 'more' | 'done';
  object?: SyncObject;
  read: number;
  result?: ApplyResult;
}

const quoteIds = (ids: string[]) => ids.map((id) => `'${id.replace(/[^A-Za-z0-9]/g, '')}'`).join(',');

/**
 * Deleted records as snapshots: the last one stored, with IsDeleted and the survivor Salesforce names
 * (MasterRecordId). A record purged meanwhile (queryAll no longer has it) reads as deleted, unmerged.
 */
export async function deletedSnapshots(db: Db, client: SalesforceClient | null, connectorId: string, object: SyncObject, ids: string[]): Promise<CrmSnapshot[]> {
  if (ids.length === 0) return [];
  const stored = await db.selectFrom('sync_records').select(['external_id', 'snapshot']).where('connector_id', '=', connectorId).where('object', '=', object).where(sql<boolean>`external_id = any(${ids}::text[])`).execute();
  const crm = new Map<string, { IsDeleted: boolean; MasterRecordId: string | null }>();
  if (client) {
    for (let i = 0; i < stored.length; i += SOQL_ID_CHUNK) {
      const chunk = stored.slice(i, i + SOQL_ID_CHUNK).map((s) => s.external_id);
      for await (const page of client.queryAll(`SELECT Id, IsDeleted, MasterRecordId FROM ${object} WHERE Id IN (${quoteIds(chunk)})`)) {
        for (const r of page.records) crm.set(String(r.Id), { IsDeleted: r.IsDeleted === true, MasterRecordId: typeof r.MasterRecordId === 'string' ? r.MasterRecordId : null });
      }
    }
  }
  return stored.flatMap((s) => {
    const seen = crm.get(s.external_id);
    // Undeleted since the feed said deleted: the next change feed brings it back.
    if (seen && !seen.IsDeleted) return [];
    return [{ ...((s.snapshot ?? {}) as Record<string, unknown>), Id: s.external_id, IsDeleted: true, MasterRecordId: seen?.MasterRecordId ?? null } as CrmSnapshot];
  });
}

export async function applyPendingBatch(
  db: Db,
  client: SalesforceClient,
  ctx: ApplyContext & { settings: SyncSettings },
): Promise<PendingBatchResult> {
  const C = ctx.connectorId;
  const cycle = await db.selectFrom('sync_cycles').select('records_read').where('id', '=', ctx.cycleId).executeTakeFirstOrThrow();
  const capLeft = ctx.settings.recordCap - cycle.records_read;
  const objects = SYNC_OBJECTS.filter((o) => ctx.settings.objects.includes(o));

  for (const object of objects) {
    const reevals = await db.selectFrom('sync_pending').select('external_id').where('connector_id', '=', C).where('object', '=', object).where('op', '=', 'reeval').limit(APPLY_BATCH).execute();
    if (reevals.length > 0) {
      const ids = reevals.map((r) => r.external_id);
      const result = await db.transaction().execute(async (tx) => {
        const rows = await tx.selectFrom('sync_records').select(['external_id', 'snapshot']).where('connector_id', '=', C).where('object', '=', object).where(sql<boolean>`external_id = any(${ids}::text[])`).where('snapshot', 'is not', null).execute();
        const incoming: IncomingRecord[] = rows.map((r) => ({ snapshot: { ...(r.snapshot as Record<string, unknown>), Id: r.external_id } as CrmSnapshot, fromCrm: false }));
        // Remove first: the apply may queue some of the same records again (their facts changed).
        await tx.deleteFrom('sync_pending').where('connector_id', '=', C).where('object', '=', object).where('op', '=', 'reeval').where(sql<boolean>`external_id = any(${ids}::text[])`).execute();
        const applied = await applyRecords(tx, ctx, object, incoming);
        await addCycleCounts(tx, ctx.cycleId, { applied: applied.applied, skipped: applied.skipped, codes: applied.codes });
        return applied;
      });
      return { state: 'more', object, read: 0, result };
    }
    if (capLeft <= 0) continue;
    const pending = await db
      .selectFrom('sync_pending')
      .select(['external_id', 'op'])
      .where('connector_id', '=', C)
      .where('object', '=', object)
      .where('op', 'in', ['upsert', 'delete'])
      .orderBy('priority')
      .orderBy('enqueued_at')
      .orderBy('external_id')
      .limit(Math.min(capLeft, APPLY_BATCH))
      .execute();
    if (pending.length === 0) continue;

    const callsBefore = client.stats().apiCalls;
    const upsertIds = pending.filter((p) => p.op === 'upsert').map((p) => p.external_id);
    const fields = fieldsToRead(object, ctx.settings);
    const fetched = upsertIds.length > 0 ? await client.retrieve(object, upsertIds, fields) : [];
    const live: CrmSnapshot[] = [];
    const gone: string[] = pending.filter((p) => p.op === 'delete').map((p) => p.external_id);
    fetched.forEach((rec, i) => {
      if (rec) live.push(toSnapshot(rec, fields, ctx.settings));
      else gone.push(upsertIds[i]!);
    });
    const deleted = await deletedSnapshots(db, client, C, object, gone);
    const apiCalls = client.stats().apiCalls - callsBefore;
    const ids = pending.map((p) => p.external_id);
    const result = await db.transaction().execute(async (tx) => {
      await tx.deleteFrom('sync_pending').where('connector_id', '=', C).where('object', '=', object).where(sql<boolean>`external_id = any(${ids}::text[])`).where('op', 'in', ['upsert', 'delete']).execute();
      const applied = await applyRecords(tx, ctx, object, [...live, ...deleted].map((snapshot) => ({ snapshot, fromCrm: true })));
      await addCycleCounts(tx, ctx.cycleId, { read: pending.length, applied: applied.applied, skipped: applied.skipped, codes: applied.codes, apiCalls });
      return applied;
    });
    return { state: 'more', object, read: pending.length, result };
  }
  return { state: 'done', read: 0 };
}
