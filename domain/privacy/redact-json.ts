/**
 * Keeps the non-personal facts of a JSON value and drops the rest: numbers, booleans, null, ids
 * (UUIDs), instants (ISO-8601) and reason codes (UPPER_SNAKE) stay; any other string goes (replaced by
 * nothing: its key disappears, or its array slot is dropped). Keys are kept only where their value is.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const CODE = /^[A-Z][A-Z0-9_]{1,63}$/;

const keepString = (s: string) => UUID.test(s) || INSTANT.test(s) || CODE.test(s);

export function redactJson(value: unknown): unknown {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'string') return keepString(value) ? value : undefined;
  if (Array.isArray(value)) return value.map(redactJson).filter((v) => v !== undefined);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const kept = redactJson(v);
      if (kept !== undefined) out[k] = kept;
    }
    return out;
  }
  return undefined;
}
