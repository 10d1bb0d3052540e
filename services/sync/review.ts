/**
 * Possible duplicates waiting for a person (POSSIBLE_DUPLICATE): a CRM record resembling an unlinked
 * local one was not created automatically. Resolving links it to an existing local record or creates a
 * new one; either way the record is then decided and applied like any other (same rules, same code).
 */
import type { Client } from '@temporalio/client';
import { sql } from 'kysely';
import { recordActivity } from '../../db/activity-log';
import type { Db } from '../../db/database';
import { cursorPart, decodeCursor, encodeCursor, type Page } from '../../db/pagination';
import type { SyncReviewItemRow } from '../../db/sync-tables';
import type { AppConfig } from '../../domain/config';
import { requireSetting } from '../../domain/config';
import type { CrmSnapshot } from '../../domain/sync/snapshot';
import type { ReviewStatus } from '../../domain/sync/vocabulary';
import type { TemporalLogger } from '../../temporal/logger';
import { crmSyncContract } from '../../workflows/crm-sync/contract';
import { actorLabel, type Actor } from '../actor';
import { signalEndedAfterCommit } from '../contacts/lifecycle';
import { conflict, invalidFields, notFound } from '../errors';
import { applyRecords, type ApplyResult } from './apply-records';
import { requireConnector } from './connector-store';

export type Resolution = { action: 'link'; localId: string } | { action: 'create' };

export async function listReviewItems(db: Db, connectorId: string, q: { limit: number; cursor?: string; status?: ReviewStatus }): Promise<Page<SyncReviewItemRow>> {
  await requireConnector(db, connectorId);
  const after = decodeCursor(q.cursor, [cursorPart.isoTime, cursorPart.uuid]);
  let query = db.selectFrom('sync_review_items').selectAll().where('connector_id', '=', connectorId).where('status', '=', q.status ?? 'open');
  if (after) query = query.where(sql<boolean>`(created_at, id) > (${new Date(after[0]!)}, ${after[1]!}::uuid)`);
  const rows = await query.orderBy('created_at').orderBy('id').limit(q.limit + 1).execute();
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return { rows: page, nextCursor: rows.length > q.limit && last ? encodeCursor([last.created_at.toISOString(), last.id]) : null };
}

export async function resolveReviewItem(
  deps: { db: Db; temporal: Client; config: Pick<AppConfig, 'ERASURE_HASH_SECRET'>; log: TemporalLogger },
  connectorId: string,
  itemId: string,
  resolution: Resolution,
  actor: Actor,
): Promise<SyncReviewItemRow> {
  const { db } = deps;
  const connector = await requireConnector(db, connectorId);
  const erasureSecret = requireSetting(deps.config as AppConfig, 'ERASURE_HASH_SECRET');
  const { item, applied } = await db.transaction().execute(async (tx) => {
    const found = await tx.selectFrom('sync_review_items').selectAll().where('id', '=', itemId).where('connector_id', '=', connectorId).forUpdate().executeTakeFirst();
    if (!found) throw notFound('Review item', itemId);
    if (found.status !== 'open') throw conflict('REVIEW_ALREADY_RESOLVED', `Review item ${itemId} was already resolved (${found.status}).`);
    const record = await tx.selectFrom('sync_records').select(['snapshot', 'last_cycle_id']).where('connector_id', '=', connectorId).where('object', '=', found.object).where('external_id', '=', found.external_id).forUpdate().executeTakeFirstOrThrow();
    const kind = found.object === 'Account' ? 'company' : 'contact';
    let settings = connector.settings;
    if (resolution.action === 'link') {
      const exists = kind === 'company'
        ? await tx.selectFrom('companies').select('id').where('id', '=', resolution.localId).where('merged_into', 'is', null).executeTakeFirst()
        : await tx.selectFrom('contacts').select('id').where('id', '=', resolution.localId).where('merged_into', 'is', null).executeTakeFirst();
      if (!exists) throw invalidFields([{ path: 'body.localId', problem: `no ${kind} with this id` }]);
      const taken = await tx.selectFrom('sync_records').select('external_id').where('connector_id', '=', connectorId).where('object', '=', found.object).where('local_id', '=', resolution.localId).where('status', 'in', ['synced', 'frozen', 'review']).executeTakeFirst();
      if (taken) throw conflict('ALREADY_LINKED', `The ${kind} ${resolution.localId} already syncs with CRM record ${taken.external_id}.`);
      await tx.updateTable('sync_records').set({ local_kind: kind, local_id: resolution.localId, status: 'synced' }).where('connector_id', '=', connectorId).where('object', '=', found.object).where('external_id', '=', found.external_id).execute();
    } else {
      // A person decided it is not a duplicate: create it.
      settings = { ...settings, detectDuplicatesOnCreate: false };
    }
    const snapshot = { ...((record.snapshot ?? {}) as Record<string, unknown>), Id: found.external_id } as CrmSnapshot;
    const result: ApplyResult = await applyRecords(tx, { connectorId, settings, cycleId: record.last_cycle_id ?? itemId, actor: crmSyncContract.actor(connectorId), erasureSecret }, found.object, [{ snapshot, fromCrm: false }]);
    const after = await tx.selectFrom('sync_records').select(['local_id', 'status']).where('connector_id', '=', connectorId).where('object', '=', found.object).where('external_id', '=', found.external_id).executeTakeFirstOrThrow();
    const resolved = await tx
      .updateTable('sync_review_items')
      .set({ status: resolution.action === 'link' ? 'linked' : 'created', resolved_local_id: after.local_id, resolved_by: actorLabel(actor), resolved_at: new Date() })
      .where('id', '=', itemId)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (after.local_id) {
      await recordActivity(tx, {
        ...(kind === 'contact' ? { contactId: after.local_id } : { companyId: after.local_id }),
        type: 'crm_sync_review_resolved',
        data: { connectorId, object: found.object, externalId: found.external_id, resolution: resolution.action, status: after.status },
        actor: actorLabel(actor),
      });
    }
    return { item: resolved, applied: result };
  });
  for (const { ids, reason } of applied.ended) await signalEndedAfterCommit({ temporal: deps.temporal, log: deps.log }, ids, reason);
  return item;
}
