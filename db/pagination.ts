/**
 * Keyset pagination shared by every list: opaque cursors (the sort key of the last row returned),
 * decoded and checked here before they reach SQL, so a forged cursor is a clear 400, never a 500.
 */
import { sql, type SelectQueryBuilder } from 'kysely';

/** A cursor this API did not issue (or one that was edited). The API answers 400 naming `querystring.cursor`. */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
  constructor() {
    super('Invalid cursor: pass back the nextCursor of a previous page.');
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BIGINT = /^\d{1,19}$/;

/** What one part of a cursor must look like. */
export const cursorPart = {
  uuid: (v: string) => UUID.test(v),
  bigint: (v: string) => BIGINT.test(v),
  isoTime: (v: string) => /^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(new Date(v).getTime()),
  any: (_v: string) => true,
};

export function encodeCursor(parts: (string | number)[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

/** The parts of a cursor, each checked by its validator; undefined when no cursor was given. */
export function decodeCursor(cursor: string | undefined, validators: readonly ((v: string) => boolean)[]): string[] | undefined {
  if (cursor === undefined) return undefined;
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (!Array.isArray(parts) || parts.length !== validators.length) throw new InvalidCursorError();
  const strings = parts.map((p) => (typeof p === 'string' || typeof p === 'number' ? String(p) : null));
  if (strings.some((s, i) => s === null || !validators[i]!(s))) throw new InvalidCursorError();
  return strings as string[];
}

export interface Page<R> {
  rows: R[];
  nextCursor: string | null;
}

/**
 * Keyset pagination in creation order, for every list of a single table with `created_at`
 * (millisecond precision) and `id`: stable under inserts, no OFFSET scans.
 */
export async function pageInCreationOrder<DB, TB extends keyof DB, R extends { created_at: Date; id: string }>(
  query: SelectQueryBuilder<DB, TB, R>,
  page: { limit: number; cursor?: string },
): Promise<Page<R>> {
  const after = decodeCursor(page.cursor, [cursorPart.isoTime, cursorPart.uuid]);
  let q = query.orderBy(sql`created_at`).orderBy(sql`id`).limit(page.limit + 1);
  if (after) q = q.where(sql<boolean>`(created_at, id) > (${new Date(after[0]!)}, ${after[1]!}::uuid)`);
  const rows = await q.execute();
  const items = rows.slice(0, page.limit);
  const last = items[items.length - 1];
  return { rows: items, nextCursor: rows.length > page.limit && last ? encodeCursor([last.created_at.toISOString(), last.id]) : null };
}

/** Newest first by a bigint id (append-only logs). */
export async function pageByIdDescending<DB, TB extends keyof DB, R extends { id: string }>(
  query: SelectQueryBuilder<DB, TB, R>,
  page: { limit: number; cursor?: string },
): Promise<Page<R>> {
  const before = decodeCursor(page.cursor, [cursorPart.bigint]);
  let q = query.orderBy(sql`id`, 'desc').limit(page.limit + 1);
  if (before) q = q.where(sql<boolean>`id < ${before[0]!}::bigint`);
  const rows = await q.execute();
  const items = rows.slice(0, page.limit);
  const last = items[items.length - 1];
  return { rows: items, nextCursor: rows.length > page.limit && last ? encodeCursor([last.id]) : null };
}
