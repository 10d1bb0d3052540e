/** Duplicate scans: one at a time, each writing candidate pairs; dismissed pairs are never reopened. */
import { sql } from 'kysely';
import type { Db } from '../../db/database';
import type { DedupScanRow } from '../../db/schema-duplicates-import';
import type { DedupScanTrigger } from '../../domain/duplicates/vocabulary';
import { notFound } from '../errors';
import type { Candidate } from './candidates';
import { recomputeClusters } from './clusters';

/** A running scan not heard of for this long died with its worker: a new scan may replace it. */
export const STALE_SCAN_MS = 15 * 60_000;

/** Starts a scan, or returns the one already running (`started: false`). */
export async function beginScan(db: Db, trigger: DedupScanTrigger, requestedBy: string | null): Promise<{ scan: DedupScanRow; started: boolean }> {
  await db
    .updateTable('dedup_scans')
    .set({ status: 'failed', code: 'WORKFLOW_STOPPED', finished_at: new Date() })
    .where('status', '=', 'running')
    .where('updated_at', '<', new Date(Date.now() - STALE_SCAN_MS))
    .execute();
  const inserted = await db
    .insertInto('dedup_scans')
    .values({ trigger, requested_by: requestedBy })
    .onConflict((oc) => oc.expression(sql`(true)`).where(sql<boolean>`status = 'running'`).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) {
    const workflowId = `dedup-scan-${inserted.id}`;
    await db.updateTable('dedup_scans').set({ workflow_id: workflowId }).where('id', '=', inserted.id).execute();
    return { scan: { ...inserted, workflow_id: workflowId }, started: true };
  }
  const running = await db.selectFrom('dedup_scans').selectAll().where('status', '=', 'running').executeTakeFirst();
  if (running) return { scan: running, started: false };
  return beginScan(db, trigger, requestedBy);
}

export async function getScan(db: Db, id: string): Promise<DedupScanRow> {
  const row = await db.selectFrom('dedup_scans').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Duplicate scan', id);
  return row;
}

/** Progress of a running scan; a late write (it is not awaited) never overwrites a finished scan's figures. */
export async function touchScan(db: Db, id: string, contactsScanned: number): Promise<void> {
  await db.updateTable('dedup_scans').set({ updated_at: new Date(), contacts_scanned: contactsScanned }).where('id', '=', id).where('status', '=', 'running').execute();
}

/**
 * Writes the scan's candidates: new pairs are inserted, open ones refreshed, dismissed ones left
 * alone (never reopened); open pairs this scan no longer finds are removed. Then the clusters.
 */
export async function storeCandidates(db: Db, scanId: string, candidates: Iterable<Candidate>): Promise<{ found: number; fresh: number }> {
  const all = [...candidates].map((c) => ({ a: c.a, b: c.b, reasons: [...c.reasons].sort(), score: c.score, name_distance: c.nameDistance }));
  let fresh = 0;
  for (let i = 0; i < all.length; i += 2000) {
    const { rows } = await sql<{ inserted: boolean }>`
      insert into duplicate_pairs (contact_a, contact_b, reasons, score, name_distance, last_scan_id)
      select a, b, reasons, score, name_distance, ${scanId}::uuid
      from jsonb_to_recordset(${JSON.stringify(all.slice(i, i + 2000))}::jsonb) as x(a uuid, b uuid, reasons text[], score real, name_distance int)
      -- contacts deleted since the search are skipped
      where exists (select 1 from contacts c where c.id = x.a) and exists (select 1 from contacts c where c.id = x.b)
      on conflict (contact_a, contact_b) do update
        set reasons = excluded.reasons, score = excluded.score, name_distance = excluded.name_distance, last_scan_id = excluded.last_scan_id, updated_at = now()
        where duplicate_pairs.status = 'open'
      returning (xmax = 0) as inserted`.execute(db);
    fresh += rows.filter((r) => r.inserted).length;
  }
  await db.deleteFrom('duplicate_pairs').where('status', '=', 'open').where((eb) => eb.or([eb('last_scan_id', '!=', scanId), eb('last_scan_id', 'is', null)])).execute();
  await recomputeClusters(db);
  return { found: all.length, fresh };
}

export async function finishScan(db: Db, id: string, r: { contactsScanned: number; comparisons: number; found: number; fresh: number }): Promise<void> {
  await db
    .updateTable('dedup_scans')
    .set({ status: 'completed', contacts_scanned: r.contactsScanned, comparisons: r.comparisons, pairs_found: r.found, pairs_new: r.fresh, finished_at: new Date(), updated_at: new Date() })
    .where('id', '=', id)
    .execute();
}

export async function failScan(db: Db, id: string, code: string): Promise<void> {
  await db.updateTable('dedup_scans').set({ status: 'failed', code, finished_at: new Date(), updated_at: new Date() }).where('id', '=', id).where('status', '=', 'running').execute();
}
