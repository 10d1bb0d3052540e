/** A connector's cycles, newest first: start, end, records read / applied / skipped by code, API calls, budget left, errors. */
import { sql } from 'kysely';
import type { Db } from '../../db/database';
import { cursorPart, decodeCursor, encodeCursor, type Page } from '../../db/pagination';
import type { SyncCycleRow } from '../../db/sync-tables';
import { requireConnector } from './connector-store';

export async function listCycles(db: Db, connectorId: string, q: { limit: number; cursor?: string }): Promise<Page<SyncCycleRow>> {
  await requireConnector(db, connectorId);
  const after = decodeCursor(q.cursor, [cursorPart.isoTime, cursorPart.uuid]);
  let query = db.selectFrom('sync_cycles').selectAll().where('connector_id', '=', connectorId);
  if (after) query = query.where(sql<boolean>`(started_at, id) < (${new Date(after[0]!)}, ${after[1]!}::uuid)`);
  const rows = await query.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(q.limit + 1).execute();
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return { rows: page, nextCursor: rows.length > q.limit && last ? encodeCursor([last.started_at.toISOString(), last.id]) : null };
}
