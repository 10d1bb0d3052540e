/**
 * The part of an import batch that needs no lock: read the next staged rows, apply the row rules and the
 * in-file duplicate marks, and hash the remaining addresses for the erasure check. Staged rows do not
 * change once the import runs (prepareImport marks duplicates before).
 */
import type { Db } from '../../db/database';
import type { StagedImportRow } from '../../db/schema-duplicates-import';
import { checkRow, type CheckedRow } from '../../domain/imports/row-rules';
import { anySubjectErased, erasureHashesOf } from '../erasure/erased-subject';

export interface ErrorEntry {
  row_no: number;
  field: string | null;
  code: string;
  message: string;
  other_row: number | null;
}

/** What the batch reads of a staged row (not the import id it already knows). */
const STAGED_COLUMNS = ['row_no', 'email', 'email_normalized', 'first_name', 'last_name', 'company_id', 'company_name', 'time_zone', 'consent', 'status', 'duplicate_of'] as const;
export type StagedRow = Omit<StagedImportRow, 'import_id'>;

export interface RowCheck {
  row: StagedRow;
  values: CheckedRow;
  errors: ErrorEntry[];
}

export interface StagedBatch {
  /** The cursor it was read after: valid only while the import's applied_through is still this. */
  after: number;
  checked: RowCheck[];
  /** Keyed hash → normalised address, of the rows that passed the rules (none while no subject was ever erased). */
  hashes: Map<string, string>;
}

/** The rows after `after` (at most `limit`), checked. */
export async function readStagedBatch(db: Db, importId: string, after: number, limit: number, erasureSecret: string): Promise<StagedBatch> {
  // Staged rows are numbered without gaps, so the next `limit` rows are a range of row numbers: bounding
  // it keeps the read to those rows whatever the planner thinks of the table (with an empty table's
  // statistics it read every remaining row of the file and sorted them, for each batch).
  const rows = await db
    .selectFrom('import_rows')
    .select(STAGED_COLUMNS)
    .where('import_id', '=', importId)
    .where('row_no', '>', after)
    .where('row_no', '<=', after + limit)
    .orderBy('row_no')
    .execute();
  const checked = rows.map((row): RowCheck => {
    const { problems, values } = checkRow(row);
    const errors: ErrorEntry[] = problems.map((p) => ({ row_no: row.row_no, field: p.field, code: p.code, message: p.message, other_row: null }));
    if (row.duplicate_of !== null) {
      errors.push({ row_no: row.row_no, field: 'email', code: 'IMPORT_DUPLICATE_EMAIL', message: `Row ${row.row_no} has the same email address as row ${row.duplicate_of}; row ${row.duplicate_of} applies, this one does not.`, other_row: row.duplicate_of });
    }
    return { row, values, errors };
  });
  // Keyed-hashing 5,000 addresses is the batch's largest CPU cost in the worker; needless until someone is erased.
  const hashes = (await anySubjectErased(db)) ? erasureHashesOf(erasureSecret, checked.flatMap((c) => (c.errors.length === 0 ? [c.row.email_normalized] : []))) : new Map<string, string>();
  return { after, checked, hashes };
}
