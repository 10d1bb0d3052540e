/**
 * CSV formula injection (OWASP "CSV Injection"): a spreadsheet runs a cell that starts with `=`, `+`,
 * `-`, `@`, a tab or a carriage return as a formula. The export prefixes such a cell with `'` (shown as
 * text, never run), and the import removes exactly that prefix again, so export → import is lossless.
 * A value that already starts with quotes before such a character gets one more quote, so the mapping
 * is one-to-one.
 */
const NEEDS_GUARD = /^'*[=+\-@\t\r]/;
const GUARDED = /^'+[=+\-@\t\r]/;

export function neutralizeCell(value: string): string {
  return NEEDS_GUARD.test(value) ? `'${value}` : value;
}

export function unneutralizeCell(value: string): string {
  return GUARDED.test(value) ? value.slice(1) : value;
}
