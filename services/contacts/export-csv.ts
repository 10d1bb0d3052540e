/**
 * `GET /v1/contacts/export.csv`: every contact the list filters select, streamed a page at a time as
 * RFC 4180 CSV (CRLF, quotes where needed, UTF-8 with a byte order mark so spreadsheets read accents),
 * with formula-looking cells neutralised. The import reads it back unchanged (same headers, same cells).
 */
import { stringify, type Stringifier } from 'csv-stringify';
import { sql } from 'kysely';
import { Readable } from 'node:stream';
import type { Db } from '../../db/database';
import type { ContactStatus } from '../../domain/contacts/vocabulary';
import { normalizeEmail } from '../../domain/email-address';
import { neutralizeCell } from '../../domain/imports/formula-guard';

export interface ExportFilter {
  companyId?: string;
  status?: ContactStatus;
  email?: string;
}

export const EXPORT_COLUMNS = ['id', 'email', 'firstName', 'lastName', 'companyId', 'companyName', 'status', 'consent', 'timeZone', 'ownerId', 'createdAt', 'updatedAt'] as const;
const PAGE = 1000;

async function* exportRows(db: Db, f: ExportFilter): AsyncGenerator<string[]> {
  let after: { createdAt: Date; id: string } | undefined;
  for (;;) {
    let q = db
      .selectFrom('contacts as c')
      .leftJoin('companies as co', 'co.id', 'c.company_id')
      .select(['c.id', 'c.email', 'c.first_name', 'c.last_name', 'c.company_id', 'co.name as company_name', 'c.status', 'c.consent', 'c.time_zone', 'c.owner_id', 'c.created_at', 'c.updated_at'])
      .where('c.merged_into', 'is', null);
    if (f.companyId) q = q.where('c.company_id', '=', f.companyId);
    if (f.status) q = q.where('c.status', '=', f.status);
    if (f.email) q = q.where('c.email_normalized', '=', normalizeEmail(f.email));
    if (after) q = q.where(sql<boolean>`(c.created_at, c.id) > (${after.createdAt}, ${after.id}::uuid)`);
    const rows = await q.orderBy('c.created_at').orderBy('c.id').limit(PAGE).execute();
    for (const r of rows) {
      yield [r.id, r.email, r.first_name, r.last_name, r.company_id, r.company_name, r.status, r.consent, r.time_zone, r.owner_id, r.created_at.toISOString(), r.updated_at.toISOString()].map((v) => neutralizeCell(v ?? ''));
    }
    if (rows.length < PAGE) return;
    const last = rows[rows.length - 1]!;
    after = { createdAt: last.created_at, id: last.id };
  }
}

export function exportContactsCsv(db: Db, filter: ExportFilter): Stringifier {
  // csv-stringify quotes a field holding its record delimiter (CRLF) but not a bare LF or CR, which
  // still ends a row for every reader: such fields are quoted too.
  const csv = stringify({ header: true, columns: [...EXPORT_COLUMNS], record_delimiter: 'windows', bom: true, quoted_match: /[\r\n]/ });
  const rows = Readable.from(exportRows(db, filter));
  rows.on('error', (err) => csv.destroy(err));
  rows.pipe(csv);
  return csv;
}
