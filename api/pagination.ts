import { sql, type SelectQueryBuilder } from 'kysely';
import { decodeCursor, encodeCursor } from './schemas/common';

/**
 * Keyset pagination in creation order, shared by every list of a single table with
 * `created_at` (millisecond precision) and `id`: stable under inserts, no OFFSET scans.
 */
export async function pageInCreationOrder<DB, TB extends keyof DB, R extends { created_at: Date; id: string }>(
  query: SelectQueryBuilder<DB, TB, R>,
  page: { limit: number; cursor?: string },
): Promise<{ rows: R[]; nextCursor: string | null }> {
  const after = decodeCursor(page.cursor, 2);
  let q = query.orderBy(sql`created_at`).orderBy(sql`id`).limit(page.limit + 1);
  if (after) {
    const at = new Date(after[0]!);
    if (Number.isNaN(at.getTime())) decodeCursor('!', 2);
    q = q.where(sql<boolean>`(created_at, id) > (${at}, ${after[1]!}::uuid)`);
  }
  const rows = await q.execute();
  const items = rows.slice(0, page.limit);
  const last = items[items.length - 1];
  return { rows: items, nextCursor: rows.length > page.limit && last ? encodeCursor([last.created_at.toISOString(), last.id]) : null };
}
