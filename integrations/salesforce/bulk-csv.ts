/**
 * Bulk API 2.0 CSV: written with csv-stringify, read with Papa Parse (result pages are thousands of rows;
 * Papa Parse splits them several times faster than csv-parse). Upload rows are normalised to one column set (jsforce
 * would take the columns of the first record only): a missing key is an empty cell (Bulk: leave unchanged),
 * null is `#N/A` (Bulk: set to null).
 */
import Papa from 'papaparse';
import { stringify } from 'csv-stringify/sync';
import type { BulkCell, RowError } from './types';

export const BULK_NULL = '#N/A';

function cell(value: BulkCell | unknown): string {
  if (value === undefined) return '';
  if (value === null) return BULK_NULL;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  if (typeof value === 'string') return value;
  throw new TypeError('bulk rows take strings, numbers, booleans, dates or null');
}

/** Columns in first-seen order across all rows (never `attributes`). */
export function columnsOf(records: Array<Record<string, unknown>>): string[] {
  const seen = new Set<string>();
  for (const rec of records) for (const key of Object.keys(rec)) if (key !== 'attributes') seen.add(key);
  return [...seen];
}

export function toBulkCsv(records: Array<Record<string, unknown>>, columns: string[]): string {
  return stringify(records.map((rec) => columns.map((c) => cell(rec[c]))), { header: true, columns, record_delimiter: 'unix' });
}

/** Rows keyed by the header row (a BOM is dropped, empty lines skipped); a malformed file or row throws. */
export function parseBulkCsv(text: string): Array<Record<string, string>> {
  if (text.trim() === '') return [];
  const { data, errors } = Papa.parse<Record<string, string>>(text, { header: true, delimiter: ',', skipEmptyLines: true });
  const bad = errors[0];
  if (bad) throw new Error(`bulk CSV: ${bad.code} at row ${bad.row ?? '?'}: ${bad.message}`);
  return data;
}

/** `REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --` → row errors. */
export function parseSfError(text: string): RowError[] {
  return text
    .split(/\s--\s*/)
    .map((part) => part.replace(/\s*--\s*$/, '').trim())
    .filter((part) => part !== '')
    .map((part) => {
      const first = part.indexOf(':');
      const last = part.lastIndexOf(':');
      if (first < 0) return { statusCode: part, message: '', fields: [] };
      const statusCode = part.slice(0, first);
      if (last === first) return { statusCode, message: part.slice(first + 1), fields: [] };
      const fields = part.slice(last + 1).split(',').map((f) => f.trim()).filter(Boolean);
      return { statusCode, message: part.slice(first + 1, last), fields };
    });
}
