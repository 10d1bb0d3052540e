/**
 * Open candidate pairs form clusters (connected components): each pair carries the smallest contact id
 * of its component, recomputed after a scan, a dismissal, a merge or an undo.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database';

/** Union–find over the given edges: contact id → smallest id of its component. */
export function components(edges: readonly { a: string; b: string }[]): Map<string, string> {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root)!;
    for (let y = x; parent.get(y) !== root; ) {
      const next = parent.get(y)!;
      parent.set(y, root);
      y = next;
    }
    return root;
  };
  for (const { a, b } of edges) {
    if (!parent.has(a)) parent.set(a, a);
    if (!parent.has(b)) parent.set(b, b);
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  }
  const out = new Map<string, string>();
  for (const id of parent.keys()) out.set(id, find(id));
  return out;
}

/** Recomputes the cluster of every open pair (or of the pairs of the given clusters and contacts). */
export async function recomputeClusters(db: Db, scope?: { clusterIds?: string[]; contactIds?: string[] }): Promise<void> {
  let q = db.selectFrom('duplicate_pairs').select(['id', 'contact_a as a', 'contact_b as b', 'cluster_id']).where('status', '=', 'open');
  if (scope) {
    const clusterIds = scope.clusterIds ?? [];
    const contactIds = scope.contactIds ?? [];
    if (clusterIds.length === 0 && contactIds.length === 0) return;
    // The whole components the scope touches: pairs of those clusters, and of clusters of those contacts.
    const touched = await db
      .selectFrom('duplicate_pairs')
      .select('cluster_id')
      .where('status', '=', 'open')
      .where((eb) => eb.or([eb('cluster_id', 'in', clusterIds.length ? clusterIds : ['00000000-0000-0000-0000-000000000000']), eb('contact_a', 'in', contactIds.length ? contactIds : ['00000000-0000-0000-0000-000000000000']), eb('contact_b', 'in', contactIds.length ? contactIds : ['00000000-0000-0000-0000-000000000000'])]))
      .execute();
    const ids = [...new Set([...clusterIds, ...touched.flatMap((t) => (t.cluster_id ? [t.cluster_id] : []))])];
    q = q.where((eb) => eb.or([eb('cluster_id', 'in', ids.length ? ids : ['00000000-0000-0000-0000-000000000000']), eb('cluster_id', 'is', null), eb('contact_a', 'in', contactIds.length ? contactIds : ['00000000-0000-0000-0000-000000000000']), eb('contact_b', 'in', contactIds.length ? contactIds : ['00000000-0000-0000-0000-000000000000'])]));
  }
  const pairs = await q.execute();
  const root = components(pairs);
  const changes = pairs.flatMap((p) => {
    const c = root.get(p.a)!;
    return p.cluster_id === c ? [] : [{ id: p.id, c }];
  });
  for (let i = 0; i < changes.length; i += 5000) {
    await sql`update duplicate_pairs p set cluster_id = x.c
      from jsonb_to_recordset(${JSON.stringify(changes.slice(i, i + 5000))}::jsonb) as x(id uuid, c uuid) where p.id = x.id`.execute(db);
  }
}
