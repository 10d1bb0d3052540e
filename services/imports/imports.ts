/** Reading and steering imports: status with progress, per-row errors, cancel. No personal data in any of it. */
import { sql } from 'kysely';
import type { Db } from '../../db/database';
import { cursorPart, decodeCursor, encodeCursor, type Page } from '../../db/pagination';
import type { ImportRow } from '../../db/schema-duplicates-import';
import type { Clock } from '../../domain/clock';
import { FINISHED_IMPORT_STATUSES } from '../../domain/imports/vocabulary';
import type { ImportResult } from '../../workflows/import/contract';
import { conflict, notFound } from '../errors';

export interface ImportProgress {
  import: ImportRow;
  rowsPerSecond: number | null;
  etaSeconds: number | null;
}

export async function getImport(db: Db, id: string, clock: Clock = Date.now): Promise<ImportProgress> {
  const row = await db.selectFrom('imports').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Import', id);
  return withRate(row, clock());
}

function withRate(row: ImportRow, nowMs: number): ImportProgress {
  if (!row.started_at || row.processed === 0) return { import: row, rowsPerSecond: null, etaSeconds: null };
  const endMs = row.finished_at ? row.finished_at.getTime() : nowMs;
  const seconds = Math.max((endMs - row.started_at.getTime()) / 1000, 0.001);
  const rate = row.processed / seconds;
  const remaining = Math.max(row.total_rows - row.processed, 0);
  const finished = (FINISHED_IMPORT_STATUSES as readonly string[]).includes(row.status);
  return { import: row, rowsPerSecond: Math.round(rate), etaSeconds: finished ? 0 : Math.ceil(remaining / rate) };
}

export async function importCounts(db: Db, id: string): Promise<ImportResult> {
  const r = await db.selectFrom('imports').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  return { importId: id, status: r.status === 'cancelled' ? 'cancelled' : 'completed', processed: r.processed, created: r.created, updated: r.updated, unchanged: r.unchanged, skipped: r.skipped, failed: r.failed };
}

/** Marks a running import failed (not one already finished). */
export async function failImport(db: Db, id: string, code: string, message: string): Promise<void> {
  await db
    .updateTable('imports')
    .set({ status: 'failed', code, message, finished_at: new Date(), updated_at: new Date() })
    .where('id', '=', id)
    .where('status', 'not in', FINISHED_IMPORT_STATUSES)
    .execute();
}

/**
 * Asks a running import to stop: the batch in flight commits, no further batch starts. Rows already
 * applied stay applied (each batch is atomic); the status says how far it got.
 */
export async function cancelImport(db: Db, id: string): Promise<ImportProgress> {
  const row = await db.transaction().execute(async (tx) => {
    const current = await tx.selectFrom('imports').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!current) throw notFound('Import', id);
    if ((FINISHED_IMPORT_STATUSES as readonly string[]).includes(current.status)) throw conflict('IMPORT_FINISHED', `Import ${id} is already ${current.status}.`);
    return tx.updateTable('imports').set({ status: 'cancelling', updated_at: new Date() }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  });
  return withRate(row, Date.now());
}

export interface ImportErrorRow {
  id: string;
  row_no: number;
  field: string | null;
  code: string;
  message: string;
  other_row: number | null;
}

/** One page of an import's per-row errors, in row order. */
export async function listImportErrors(db: Db, id: string, page: { limit: number; cursor?: string; code?: string }): Promise<Page<ImportErrorRow>> {
  await getImport(db, id);
  const after = decodeCursor(page.cursor, [cursorPart.bigint, cursorPart.bigint]);
  let q = db.selectFrom('import_errors').select(['id', 'row_no', 'field', 'code', 'message', 'other_row']).where('import_id', '=', id);
  if (page.code) q = q.where('code', '=', page.code);
  if (after) q = q.where(sql<boolean>`(row_no, id) > (${Number(after[0])}::int, ${after[1]!}::bigint)`);
  const rows = await q.orderBy('row_no').orderBy('id').limit(page.limit + 1).execute();
  const items = rows.slice(0, page.limit);
  const last = items[items.length - 1];
  return { rows: items, nextCursor: rows.length > page.limit && last ? encodeCursor([String(last.row_no), last.id]) : null };
}

/** Every error of an import, in row order, a page at a time (for the CSV report). */
export async function* allImportErrors(db: Db, id: string): AsyncGenerator<ImportErrorRow> {
  let cursor: string | undefined;
  do {
    const page = await listImportErrors(db, id, { limit: 1000, cursor });
    yield* page.rows;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}
