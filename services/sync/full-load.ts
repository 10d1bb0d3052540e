/**
 * A full read of one object (the initial load, or a resync after CURSOR_EXPIRED_RESYNC) through a
 * Bulk API 2.0 queryAll job whose result pages we read ourselves (jsforce's bulk2.query crashes on
 * the second page). Each page is applied in its own transaction together with the locator of the next
 * page, so a retried activity resumes where the last commit left off. When the last page is in, the
 * records not seen by this load are diffed out as deleted (purged in the CRM), and the change-feed
 * cursors start from a watermark taken on the CRM's clock when the job was created.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database';
import { pinnedTransaction } from '../../db/pinned-transaction';
import { fieldsToRead, toSnapshot } from '../../domain/sync/snapshot';
import type { SyncObject } from '../../domain/sync/vocabulary';
import { floorMinute, MINUTE_MS } from '../../domain/sync/window';
import type { SalesforceClient } from '../../integrations/salesforce';
import { applyRecords, type ApplyContext, type ApplyResult } from './apply-records';
import { APPLY_BATCH, deletedSnapshots } from './apply-pending';
import { addCycleCounts, markCycleKind } from './cycles';
import { isStoredRecordConflict } from './load-copy';
import { analyzeFilledTables } from './load-statistics';

interface FullLoadState {
  cycleId: string;
  jobId?: string;
  /** Locator of the next page to read (null: from the first). */
  locator?: string | null;
  /** Change feeds resume here (ISO, the CRM's clock at job creation minus a minute). */
  watermark?: string;
  /** Every page is applied; only the diff and the cursor remain. */
  pagesDone?: boolean;
  /** A person object with no stored record when the load began: its pages hold only new records. */
  allNew?: boolean;
}

export interface FullLoadOptions {
  pageSize: number;
  /** Stop after this time (ms since start) and report `more` (the next call resumes). */
  budgetMs: number;
  now: () => number;
  /** Called after each committed page (heartbeat). */
  progress?: (p: { object: SyncObject; records: number }) => void;
  /** After each committed page: enrollments ended by it, to signal. */
  onApplied?: (r: ApplyResult) => Promise<void>;
}

export type FullLoadResult = { state: 'more' | 'done'; records: number };

export async function fullLoadStep(db: Db, client: SalesforceClient, ctx: ApplyContext, object: SyncObject, opts: FullLoadOptions): Promise<FullLoadResult> {
  const C = ctx.connectorId;
  const startedAt = opts.now();
  const cursor = await db.selectFrom('sync_cursors').selectAll().where('connector_id', '=', C).where('object', '=', object).executeTakeFirst();
  if (!cursor?.full_load) return { state: 'done', records: 0 };
  if (cursor.full_load === 'resync') await markCycleKind(db, ctx.cycleId, 'resync', 'CURSOR_EXPIRED_RESYNC');
  else if (cursor.full_load === 'requested') await markCycleKind(db, ctx.cycleId, 'resync');
  let state = (cursor.full_load_state ?? null) as FullLoadState | null;
  // A load begun by an earlier (failed) cycle starts again: its "seen" marks belong to that cycle.
  if (!state || state.cycleId !== ctx.cycleId) {
    // Accounts are also linked by people resolve (services/matching) while a load runs: always looked up.
    const none = object !== 'Account' && !(await db.selectFrom('sync_records').select('external_id').where('connector_id', '=', C).where('object', '=', object).limit(1).executeTakeFirst());
    state = { cycleId: ctx.cycleId, ...(none ? { allNew: true } : {}) };
    await saveState(state);
    if (cursor.full_load === 'resync') await addCycleCounts(db, ctx.cycleId, { codes: { CURSOR_EXPIRED_RESYNC: 1 } });
  }
  let records = 0;

  if (!state.pagesDone) {
    const fields = fieldsToRead(object, ctx.settings);
    const soql = `SELECT ${fields.join(', ')} FROM ${object}`;
    let calls = client.stats().apiCalls;
    const current: FullLoadState = state;
    const pages = client.bulkQuery(soql, {
      includeDeleted: true,
      pageSize: opts.pageSize,
      ...(current.jobId ? { jobId: current.jobId, ...(current.locator ? { locator: current.locator } : {}) } : {}),
      onJobCreated: async (jobId) => {
        if (current.jobId) return;
        const skew = client.serverClockSkewMs() ?? 0;
        current.jobId = jobId;
        current.locator = null;
        current.watermark = new Date(floorMinute(opts.now() + skew) - MINUTE_MS).toISOString();
        await saveState(current);
      },
    });
    for await (const page of pages) {
      const snapshots = page.records.map((r) => toSnapshot(r, fields, ctx.settings));
      const apiCalls = client.stats().apiCalls - calls;
      calls = client.stats().apiCalls;
      const applyPage = () => pinnedTransaction(db, async (tx, copy) => {
        const result: ApplyResult = { applied: 0, skipped: 0, codes: {}, ended: [] };
        for (let i = 0; i < snapshots.length; i += APPLY_BATCH * 5) {
          const part = await applyRecords(tx, { ...ctx, copy, ...(current.allNew ? { allNew: true } : {}) }, object, snapshots.slice(i, i + APPLY_BATCH * 5).map((snapshot) => ({ snapshot, fromCrm: true })));
          result.applied += part.applied;
          result.skipped += part.skipped;
          result.ended.push(...part.ended);
          for (const [k, v] of Object.entries(part.codes)) result.codes[k] = (result.codes[k] ?? 0) + v;
        }
        current.locator = page.nextLocator;
        if (!page.nextLocator) current.pagesDone = true;
        await saveState(current, tx);
        await addCycleCounts(tx, ctx.cycleId, { read: snapshots.length, applied: result.applied, skipped: result.skipped, codes: result.codes, apiCalls });
        return result;
      });
      const applied = await applyPage().catch(async (err: unknown) => {
        // Another writer stored one of "all new" records meanwhile: this page and the rest look their state up.
        if (!current.allNew || !isStoredRecordConflict(err)) throw err;
        delete current.allNew;
        return applyPage();
      });
      records += snapshots.length;
      await analyzeFilledTables(db, ['sync_records', object === 'Account' ? 'companies' : 'contacts']);
      await opts.onApplied?.(applied);
      opts.progress?.({ object, records });
      if (!current.pagesDone && opts.now() - startedAt > opts.budgetMs) return { state: 'more', records };
    }
    state = current;
    if (!state.pagesDone) return { state: 'more', records };
  }

  // The diff: linked or known records this load did not see are gone from the CRM (purged).
  for (;;) {
    const unseen = await db
      .selectFrom('sync_records')
      .select('external_id')
      .where('connector_id', '=', C)
      .where('object', '=', object)
      .where('status', '!=', 'stopped')
      .where(sql<boolean>`seen_cycle_id is distinct from ${ctx.cycleId}::uuid`)
      .limit(APPLY_BATCH)
      .execute();
    if (unseen.length === 0) break;
    const snapshots = await deletedSnapshots(db, null, C, object, unseen.map((u) => u.external_id));
    const applied = await db.transaction().execute(async (tx) => {
      const result = await applyRecords(tx, ctx, object, snapshots.map((snapshot) => ({ snapshot, fromCrm: true })));
      await addCycleCounts(tx, ctx.cycleId, { applied: result.applied, skipped: result.skipped, codes: result.codes });
      return result;
    });
    await opts.onApplied?.(applied);
  }
  const watermark = state.watermark ? new Date(state.watermark) : new Date(floorMinute(opts.now() + (client.serverClockSkewMs() ?? 0)) - MINUTE_MS);
  await db
    .updateTable('sync_cursors')
    .set({ updated_from: watermark, deleted_from: watermark, full_load: null, full_load_state: null, loaded_at: new Date(), updated_at: new Date() })
    .where('connector_id', '=', C)
    .where('object', '=', object)
    .execute();
  // Entries the change feed queued before the load are answered by it.
  await db.deleteFrom('sync_pending').where('connector_id', '=', C).where('object', '=', object).where('op', 'in', ['upsert', 'delete']).execute();
  return { state: 'done', records };

  async function saveState(s: FullLoadState, q: Pick<Db, 'updateTable'> = db): Promise<void> {
    await q.updateTable('sync_cursors').set({ full_load_state: JSON.stringify(s), updated_at: new Date() }).where('connector_id', '=', C).where('object', '=', object).execute();
  }
}
