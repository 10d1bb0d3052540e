import { sql, type Selectable } from 'kysely';
import { recordActivity } from './activity-log';
import type { Db } from './database';
import { cursorPart, decodeCursor, encodeCursor, type Page } from './pagination';
import type { SuppressionReason } from '../domain/suppressions/vocabulary';
import type { SuppressionsTable } from './schema';

/**
 * The suppression list (RULES.md "suppression"): by normalised address, or for erased contacts by
 * keyed hash only. Adding and removing are transactions that also log on every matching contact,
 * so a contact's activity shows why it may or may not be emailed.
 */
export type SuppressionRow = Selectable<SuppressionsTable> & { cursor_micros: string };

const selectSuppression = (db: Db) => db.selectFrom('suppressions').selectAll().select(sql<string>`(extract(epoch from created_at) * 1000000)::bigint::text`.as('cursor_micros'));

export interface SuppressionListQuery {
  limit: number;
  cursor?: string;
  addressNormalized?: string;
  reason?: SuppressionReason;
}

/** Newest first. The cursor is [created_at in epoch µs, id]: µs because PostgreSQL keeps them and Date does not. */
export async function listSuppressions(db: Db, q: SuppressionListQuery): Promise<Page<SuppressionRow>> {
  const after = decodeCursor(q.cursor, [cursorPart.bigint, cursorPart.uuid]);
  let query = selectSuppression(db).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit + 1);
  if (q.addressNormalized) query = query.where('address_normalized', '=', q.addressNormalized);
  if (q.reason) query = query.where('reason', '=', q.reason);
  if (after) query = query.where(sql<boolean>`(created_at, id) < (timestamptz 'epoch' + ${after[0]!}::bigint * interval '1 microsecond', ${after[1]!}::uuid)`);
  const rows = await query.execute();
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return { rows: page, nextCursor: rows.length > q.limit && last ? encodeCursor([last.cursor_micros, last.id]) : null };
}

export async function addSuppression(
  db: Db,
  input: { addressNormalized: string; reason: Exclude<SuppressionReason, 'erased'>; note: string | null; actor: string },
): Promise<{ row: SuppressionRow; created: boolean }> {
  return db.transaction().execute(async (tx) => {
    const inserted = await tx
      .insertInto('suppressions')
      .values({ address_normalized: input.addressNormalized, reason: input.reason, note: input.note, created_by: input.actor })
      .onConflict((oc) => oc.column('address_normalized').doNothing())
      .returning('id')
      .executeTakeFirst();
    const row = await selectSuppression(tx).where('address_normalized', '=', input.addressNormalized).executeTakeFirstOrThrow();
    if (inserted) {
      for (const c of await contactsWithAddress(tx, input.addressNormalized)) {
        await recordActivity(tx, { contactId: c.id, companyId: c.company_id, type: 'suppression_added', reasonCode: 'SUPPRESSED', data: { suppressionId: row.id, suppressionReason: row.reason }, actor: input.actor });
      }
    }
    return { row, created: Boolean(inserted) };
  });
}

export type RemoveResult = { status: 'not_found' } | { status: 'erased' } | { status: 'removed'; row: SuppressionRow; contactIds: string[] };

/** Erased suppressions are permanent (RULES.md "no re-contact"): they are never removed here. */
export async function removeSuppression(db: Db, id: string, input: { removalReason: string; actor: string }): Promise<RemoveResult> {
  return db.transaction().execute(async (tx): Promise<RemoveResult> => {
    const row = await selectSuppression(tx).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row) return { status: 'not_found' };
    if (row.reason === 'erased' || row.address_normalized === null) return { status: 'erased' };
    await tx.deleteFrom('suppressions').where('id', '=', id).execute();
    const contacts = await contactsWithAddress(tx, row.address_normalized);
    const data = { suppressionId: row.id, suppressionReason: row.reason, removalReason: input.removalReason };
    // The reason must be on record even when no contact has the address (yet).
    const targets = contacts.length > 0 ? contacts : [{ id: null, company_id: null }];
    for (const c of targets) {
      await recordActivity(tx, { contactId: c.id, companyId: c.company_id, type: 'suppression_removed', data, actor: input.actor });
    }
    return { status: 'removed', row, contactIds: contacts.map((c) => c.id) };
  });
}

const contactsWithAddress = (db: Db, addressNormalized: string) => db.selectFrom('contacts').select(['id', 'company_id']).where('email_normalized', '=', addressNormalized).orderBy('id').execute();
