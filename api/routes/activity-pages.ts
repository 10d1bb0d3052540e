import type { Db } from '../../db/database';
import { decodeCursor, encodeCursor } from '../schemas/common';

/** One page of a contact's or company's activity log, newest first. */
export async function listActivities(db: Db, column: 'contact_id' | 'company_id', id: string, q: { limit: number; cursor?: string }) {
  const before = decodeCursor(q.cursor, 1);
  let query = db.selectFrom('activities').selectAll().where(column, '=', id).orderBy('id', 'desc').limit(q.limit + 1);
  if (before) query = query.where('id', '<', before[0]!);
  const rows = await query.execute();
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((a) => ({
      id: a.id,
      type: a.type,
      reasonCode: a.reason_code,
      data: a.data,
      actor: a.actor,
      contactId: a.contact_id,
      companyId: a.company_id,
      occurredAt: a.occurred_at.toISOString(),
    })),
    nextCursor: rows.length > q.limit && last ? encodeCursor([last.id]) : null,
  };
}
