/** Converts incoming field values (REST JSON or Bulk CSV text) to stored values, with Salesforce's per-field errors. */
import type { FieldDef } from './schema';
import { formatDate, parseDateTime, rowError, type RowError } from './wire';

export type ValueSource = 'json' | 'csv';
type Stored = string | number | boolean | null;

/** In Bulk CSV `#N/A` sets a field to null (an empty value means "leave unchanged" on update, null on insert). */
export const BULK_NULL = '#N/A';

export function coerceValue(field: FieldDef, raw: unknown, source: ValueSource): { value: Stored } | { error: RowError } {
  if (raw === null || raw === undefined || (source === 'csv' && (raw === BULK_NULL || raw === ''))) return { value: null };
  const bad = (): { error: RowError } => ({
    error: rowError(source === 'csv' ? 'INVALID_FIELD' : 'JSON_PARSER_ERROR', `Cannot deserialize value for field ${field.name} of type ${field.type}`, [field.name]),
  });
  switch (field.type) {
    case 'boolean': {
      if (typeof raw === 'boolean') return { value: raw };
      if (typeof raw === 'string' && /^(true|false|1|0)$/i.test(raw)) return { value: /^(true|1)$/i.test(raw) };
      return bad();
    }
    case 'datetime': {
      const ms = typeof raw === 'number' ? raw : typeof raw === 'string' ? parseDateTime(raw) : undefined;
      return ms === undefined ? bad() : { value: ms };
    }
    case 'date': {
      const ms = typeof raw === 'string' ? parseDateTime(raw) : undefined;
      return ms === undefined ? bad() : { value: formatDate(ms) };
    }
    default: {
      if (typeof raw !== 'string' && typeof raw !== 'number') return bad();
      const text = String(raw);
      if (field.length !== undefined && text.length > field.length) {
        return { error: rowError('STRING_TOO_LONG', `${field.label}: data value too large (max length=${field.length})`, [field.name]) };
      }
      return { value: text };
    }
  }
}
