/**
 * Reads one object's change feeds (Replication API: getUpdated / getDeleted since the stored cursors)
 * into the pending queue, and advances the cursors to Salesforce's own latestDateCovered in the same
 * transaction: an id is either queued durably or its window is read again. Windows are planned on
 * the CRM's clock. A cursor Salesforce no longer serves (INVALID_REPLICATION_DATE, deletes past
 * their retention or purged: earliestDateAvailable after the cursor) asks for a full resync instead
 * (CURSOR_EXPIRED_RESYNC), never a silent gap.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database';
import { planWindow, type WindowPlan } from '../../domain/sync/window';
import type { SyncObject } from '../../domain/sync/vocabulary';
import { SalesforceCursorExpiredError, type SalesforceClient } from '../../integrations/salesforce';

export type ReadOutcome = { kind: 'read'; updated: number; deleted: number } | { kind: 'full_load' } | { kind: 'resync' } | { kind: 'nothing_due' };

export interface ReadInput {
  connectorId: string;
  object: SyncObject;
  /** The CRM's clock minus ours. */
  serverClockSkewMs: number;
  now: () => number;
}

async function requestResync(db: Db, connectorId: string, object: SyncObject): Promise<ReadOutcome> {
  await db.updateTable('sync_cursors').set({ full_load: 'resync', full_load_state: null, updated_at: new Date() }).where('connector_id', '=', connectorId).where('object', '=', object).execute();
  return { kind: 'resync' };
}

export async function readChanges(db: Db, client: SalesforceClient, input: ReadInput): Promise<ReadOutcome> {
  const { connectorId, object } = input;
  const cursor = await db.selectFrom('sync_cursors').selectAll().where('connector_id', '=', connectorId).where('object', '=', object).executeTakeFirst();
  if (!cursor || cursor.full_load || !cursor.updated_from || !cursor.deleted_from) return { kind: 'full_load' };
  /** The CRM's "now": the freshest Date header this client saw, else the stored skew. */
  const serverNow = () => input.now() + (client.serverClockSkewMs() ?? input.serverClockSkewMs);
  const first = { updated: planWindow(cursor.updated_from.getTime(), serverNow(), 'updated'), deleted: planWindow(cursor.deleted_from.getTime(), serverNow(), 'deleted') };
  if (first.updated.kind === 'expired' || first.deleted.kind === 'expired') return requestResync(db, connectorId, object);
  if (first.updated.kind === 'too_soon' && first.deleted.kind === 'too_soon') return { kind: 'nothing_due' };

  const updatedIds: string[] = [];
  let updatedTo: Date | null = null;
  const deletedIds: string[] = [];
  let deletedTo: Date | null = null;
  try {
    // A second window only when the CRM's clock turned out later than estimated (its first answer says so).
    let window: WindowPlan = first.updated;
    for (let i = 0; i < 2 && window.kind === 'read'; i++) {
      const u = await client.getUpdated(object, window.start, window.end);
      updatedIds.push(...u.ids);
      updatedTo = u.latestDateCovered;
      window = planWindow(u.latestDateCovered.getTime(), serverNow(), 'updated');
    }
    let deletes: WindowPlan = first.deleted;
    for (let i = 0; i < 2 && deletes.kind === 'read'; i++) {
      const d = await client.getDeleted(object, deletes.start, deletes.end);
      // Deletes before the cursor were purged unseen (recycle bin emptied): only a full diff finds them.
      if (d.earliestDateAvailable.getTime() > (deletedTo ?? cursor.deleted_from).getTime()) return requestResync(db, connectorId, object);
      deletedIds.push(...d.deletedRecords.map((r) => r.id));
      deletedTo = d.latestDateCovered;
      deletes = planWindow(d.latestDateCovered.getTime(), serverNow(), 'deleted');
    }
  } catch (err) {
    if (err instanceof SalesforceCursorExpiredError) return requestResync(db, connectorId, object);
    throw err;
  }

  await db.transaction().execute(async (tx) => {
    if (deletedIds.length > 0) {
      // Only deletes of records we know matter (nothing to stop for a record never synced).
      await sql`
        insert into sync_pending (connector_id, object, external_id, op, priority)
        select r.connector_id, r.object, r.external_id, 'delete', case when c.owner_id is not null then 0 else 1 end
        from sync_records r left join contacts c on c.id = r.local_id
        where r.connector_id = ${connectorId} and r.object = ${object} and r.external_id = any(${deletedIds}::text[])
        on conflict (connector_id, object, external_id) do update set op = case when sync_pending.op = 'upsert' then 'upsert' else 'delete' end`.execute(tx);
    }
    if (updatedIds.length > 0) {
      // Records linked to owned contacts first (priority 0): they jump the queue when over the cap.
      await sql`
        insert into sync_pending (connector_id, object, external_id, op, priority)
        select ${connectorId}::uuid, ${object}, u.id, 'upsert', case when c.owner_id is not null then 0 else 1 end
        from unnest(${updatedIds}::text[]) as u(id)
        left join sync_records r on r.connector_id = ${connectorId} and r.object = ${object} and r.external_id = u.id
        left join contacts c on c.id = r.local_id
        on conflict (connector_id, object, external_id) do update set op = 'upsert', priority = least(sync_pending.priority, excluded.priority)`.execute(tx);
    }
    await tx
      .updateTable('sync_cursors')
      .set({ ...(updatedTo ? { updated_from: updatedTo } : {}), ...(deletedTo ? { deleted_from: deletedTo } : {}), updated_at: new Date() })
      .where('connector_id', '=', connectorId)
      .where('object', '=', object)
      .execute();
  });
  return { kind: 'read', updated: updatedIds.length, deleted: deletedIds.length };
}
