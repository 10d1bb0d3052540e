/** Wire formats shared by the emulator's handlers: Salesforce datetimes, error bodies, HTTP replies. */

export const JSON_TYPE = 'application/json;charset=UTF-8';
export const CSV_TYPE = 'text/csv';

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** `2026-01-01T10:15:42.000+0000`: the REST JSON form (offset without colon, second precision). */
export function formatDateTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}+0000`;
}

/** `2026-01-01T10:15:42.000Z`: the Bulk API 2.0 CSV form. */
export function formatCsvDateTime(ms: number): string {
  return new Date(ms).toISOString();
}

export function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Parses the datetimes Salesforce accepts on the wire: ISO-8601 with `Z`, `+hh:mm` or `+hhmm`
 * (jsforce sends `2026-01-01T10:15:42+00:00`). Returns undefined when not a datetime.
 */
export function parseDateTime(text: string): number | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?))?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(text.trim());
  if (!m) return undefined;
  const [, date, time = '00:00:00', zone = 'Z'] = m;
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const ms = Date.parse(`${date}T${time.length === 5 ? `${time}:00` : time}${offset}`);
  return Number.isNaN(ms) ? undefined : ms;
}

export const floorSecond = (ms: number): number => Math.floor(ms / 1000) * 1000;
export const floorMinute = (ms: number): number => Math.floor(ms / 60_000) * 60_000;

export const MINUTE = 60_000;
export const DAY = 86_400_000;

/** A whole-request error: Salesforce answers `[{ message, errorCode, fields? }]` with an error status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly fields?: string[],
  ) {
    super(message);
  }

  body(): unknown[] {
    return [{ message: this.message, errorCode: this.errorCode, ...(this.fields ? { fields: this.fields } : {}) }];
  }
}

/** A per-row error in collection results (`statusCode`, not `errorCode`) and Bulk `sf__Error`. */
export interface RowError {
  statusCode: string;
  message: string;
  fields: string[];
}

export const rowError = (statusCode: string, message: string, fields: string[] = []): RowError => ({ statusCode, message, fields });

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** JSON-serialised unless `text` is given. */
  body?: unknown;
  text?: string;
  contentType?: string;
}

export const json = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({ status, body, headers });
export const noContent = (): Reply => ({ status: 204 });
