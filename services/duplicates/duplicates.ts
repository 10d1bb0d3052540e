/** Reading duplicate clusters and dismissing pairs ("not a duplicate": remembered, never reopened). */
import { recordActivity } from '../../db/activity-log';
import type { Db } from '../../db/database';
import { cursorPart, decodeCursor, encodeCursor, type Page } from '../../db/pagination';
import { actorLabel, type Actor } from '../actor';
import { conflict, notFound } from '../errors';
import { recomputeClusters } from './clusters';

export interface ClusterMember {
  id: string;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  company_id: string | null;
  owner_id: string | null;
  reasons: string[];
}

export interface ClusterPair {
  id: string;
  contactIds: [string, string];
  reasons: string[];
  score: number;
  nameDistance: number | null;
}

export interface Cluster {
  id: string;
  score: number;
  members: ClusterMember[];
  pairs: ClusterPair[];
}

export async function listClusters(db: Db, q: { limit: number; cursor?: string; contactId?: string }): Promise<Page<Cluster>> {
  const after = decodeCursor(q.cursor, [cursorPart.uuid]);
  let ids = db.selectFrom('duplicate_pairs').select('cluster_id').distinct().where('status', '=', 'open').where('cluster_id', 'is not', null);
  if (after) ids = ids.where('cluster_id', '>', after[0]!);
  if (q.contactId) {
    const contactId = q.contactId;
    ids = ids.where('cluster_id', 'in', db.selectFrom('duplicate_pairs').select('cluster_id').where('status', '=', 'open').where((eb) => eb.or([eb('contact_a', '=', contactId), eb('contact_b', '=', contactId)])));
  }
  const clusterRows = await ids.orderBy('cluster_id').limit(q.limit + 1).execute();
  const page = clusterRows.slice(0, q.limit).map((r) => r.cluster_id!);
  if (page.length === 0) return { rows: [], nextCursor: null };

  const pairs = await db.selectFrom('duplicate_pairs').select(['id', 'contact_a', 'contact_b', 'reasons', 'score', 'name_distance', 'cluster_id']).where('status', '=', 'open').where('cluster_id', 'in', page).orderBy('score', 'desc').orderBy('id').execute();
  const memberIds = [...new Set(pairs.flatMap((p) => [p.contact_a, p.contact_b]))];
  const contacts = await db.selectFrom('contacts').select(['id', 'email', 'first_name', 'last_name', 'company_id', 'owner_id']).where('id', 'in', memberIds).execute();
  const byId = new Map(contacts.map((c) => [c.id, c]));

  const clusters = page.map((clusterId): Cluster => {
    const own = pairs.filter((p) => p.cluster_id === clusterId);
    const reasons = new Map<string, Set<string>>();
    for (const p of own) for (const id of [p.contact_a, p.contact_b]) for (const r of p.reasons) reasons.set(id, (reasons.get(id) ?? new Set()).add(r));
    const members = [...reasons.keys()].sort().map((id): ClusterMember => {
      const c = byId.get(id);
      return { id, email: c?.email ?? null, first_name: c?.first_name ?? null, last_name: c?.last_name ?? null, company_id: c?.company_id ?? null, owner_id: c?.owner_id ?? null, reasons: [...reasons.get(id)!].sort() };
    });
    return {
      id: clusterId,
      score: Math.max(...own.map((p) => p.score)),
      members,
      pairs: own.map((p) => ({ id: p.id, contactIds: [p.contact_a, p.contact_b], reasons: p.reasons, score: p.score, nameDistance: p.name_distance })),
    };
  });
  const last = page[page.length - 1]!;
  return { rows: clusters, nextCursor: clusterRows.length > q.limit ? encodeCursor([last]) : null };
}

/** Marks a pair "not a duplicate": later scans keep it dismissed. Dismissing twice is a no-op. */
export async function dismissPair(db: Db, pairId: string, actor: Actor): Promise<{ id: string; status: 'dismissed' }> {
  const pair = await db.selectFrom('duplicate_pairs').selectAll().where('id', '=', pairId).executeTakeFirst();
  if (!pair) throw notFound('Duplicate pair', pairId);
  if (pair.status === 'merged') throw conflict('MERGED', `The contacts of pair ${pairId} were merged; there is nothing to dismiss.`);
  if (pair.status === 'open') {
    await db.transaction().execute(async (tx) => {
      const changed = await tx.updateTable('duplicate_pairs').set({ status: 'dismissed', dismissed_by: actor.userId, dismissed_at: new Date(), cluster_id: null, updated_at: new Date() }).where('id', '=', pairId).where('status', '=', 'open').returning('id').executeTakeFirst();
      if (!changed) return;
      for (const contactId of [pair.contact_a, pair.contact_b]) {
        await recordActivity(tx, { contactId, type: 'duplicate_dismissed', data: { pairId, otherContactId: contactId === pair.contact_a ? pair.contact_b : pair.contact_a, reasons: pair.reasons }, actor: actorLabel(actor) });
      }
    });
    await recomputeClusters(db, { clusterIds: pair.cluster_id ? [pair.cluster_id] : [], contactIds: [pair.contact_a, pair.contact_b] });
  }
  return { id: pairId, status: 'dismissed' };
}
