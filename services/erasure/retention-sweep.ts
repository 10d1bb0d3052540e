/**
 * The end of retention: retained references whose retainUntil has passed are removed (marked, the
 * financial figures cleared), stubs that hold no other reference are deleted, and each request gets a
 * `retention_end` receipt on the chain. One transaction per request; a rerun for the same day finds
 * nothing left and appends nothing.
 */
import { sql } from 'kysely';
import { recordActivity } from '../../db/activity-log';
import type { Db } from '../../db/database';
import { appendReceipt } from './receipts';

export interface SweepResult {
  recordsRemoved: number;
  stubsRemoved: number;
  receipts: number;
}

/** `asOf`: YYYY-MM-DD; references with retain_until before it are due. */
export async function sweepExpiredRetention(db: Db, asOf: string, actor: string): Promise<SweepResult> {
  const due = await db.selectFrom('erasure_retained_records').select('request_id').distinct().where('removed_at', 'is', null).where(sql<boolean>`retain_until < ${asOf}::date`).execute();
  const result: SweepResult = { recordsRemoved: 0, stubsRemoved: 0, receipts: 0 };
  for (const { request_id: requestId } of due) {
    await db.transaction().execute(async (tx) => {
      const records = await tx
        .updateTable('erasure_retained_records')
        .set({ removed_at: new Date(), amount: null, issued_at: null })
        .where('request_id', '=', requestId)
        .where('removed_at', 'is', null)
        .where(sql<boolean>`retain_until < ${asOf}::date`)
        .returning(['id', 'contact_id', 'system', 'kind', 'reference', 'retain_until'])
        .execute();
      if (records.length === 0) return;
      const stubIds = [...new Set(records.map((r) => r.contact_id))];
      const stillHeld = await tx.selectFrom('erasure_retained_records').select('contact_id').distinct().where('contact_id', 'in', stubIds).where('removed_at', 'is', null).execute();
      const held = new Set(stillHeld.map((r) => r.contact_id));
      const gone = stubIds.filter((id) => !held.has(id));
      if (gone.length > 0) await tx.deleteFrom('contacts').where('id', 'in', gone).execute();
      await appendReceipt(tx, {
        requestId,
        kind: 'retention_end',
        dedupeKey: `retention_end:${requestId}:${asOf}`,
        body: { requestId, kind: 'retention_end', asOf, removed: records.map((r) => ({ system: r.system, kind: r.kind, reference: r.reference, retainUntil: r.retain_until })), stubsRemoved: gone },
      });
      for (const contactId of stubIds) {
        await recordActivity(tx, { contactId, type: 'retention_ended', reasonCode: 'RETENTION_ENDED', data: { erasureRequestId: requestId, references: records.filter((r) => r.contact_id === contactId).length, stubRemoved: gone.includes(contactId) }, actor, dedupeKey: `retention_ended:${requestId}:${contactId}:${asOf}` });
      }
      result.recordsRemoved += records.length;
      result.stubsRemoved += gone.length;
      result.receipts++;
    });
  }
  return result;
}
