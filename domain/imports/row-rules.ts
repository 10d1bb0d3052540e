/**
 * The rules one import row must pass on its own (the ones that need the database — unknown company,
 * existing contact, erased address, in-file duplicates — are applied by the import's batch step).
 * Pure, so the same code serves the import and its tests.
 */
import { CONSENTS, CONTACT_STATUSES, type Consent, type ContactStatus } from '../contacts/vocabulary';
import { isValidEmail } from '../email-address';
import type { ReasonCode } from '../reason-codes';
import type { ImportField } from './vocabulary';

export interface RowProblem {
  field: ImportField | null;
  code: ReasonCode;
  message: string;
}

/** A staged row: the mapped cells as read (empty cells are null). */
export interface StagedRowValues {
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  company_id: string | null;
  company_name: string | null;
  time_zone: string | null;
  consent: string | null;
  status: string | null;
}

export interface CheckedRow {
  consent: Consent | null;
  status: ContactStatus | null;
  companyId: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_NAME = 200;

const zoneCache = new Map<string, boolean>();
/** IANA zone names only (the send window is evaluated in the contact's zone); cached: rows repeat zones. */
export function isIanaTimeZone(tz: string): boolean {
  let ok = zoneCache.get(tz);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      ok = tz.includes('/') || tz === 'UTC';
    } catch {
      ok = false;
    }
    if (zoneCache.size < 10_000) zoneCache.set(tz, ok);
  }
  return ok;
}

function vocabulary<T extends string>(values: readonly T[], raw: string | null): T | null | undefined {
  if (raw === null) return null;
  const v = raw.trim().toLowerCase().replace(/[\s-]+/g, '_');
  return (values as readonly string[]).includes(v) ? (v as T) : undefined;
}

/** Every problem of the row (not only the first), and the values it will write. */
export function checkRow(row: StagedRowValues): { problems: RowProblem[]; values: CheckedRow } {
  const problems: RowProblem[] = [];
  if (row.email === null) problems.push({ field: 'email', code: 'IMPORT_MISSING_EMAIL', message: 'The row has no email address (the unique key of an import).' });
  else if (!isValidEmail(row.email)) problems.push({ field: 'email', code: 'INVALID_EMAIL', message: 'Not a valid email address.' });
  if (row.first_name !== null && row.first_name.length > MAX_NAME) problems.push({ field: 'firstName', code: 'IMPORT_INVALID_VALUE', message: `Longer than ${MAX_NAME} characters.` });
  if (row.last_name !== null && row.last_name.length > MAX_NAME) problems.push({ field: 'lastName', code: 'IMPORT_INVALID_VALUE', message: `Longer than ${MAX_NAME} characters.` });
  if (row.time_zone !== null && !isIanaTimeZone(row.time_zone)) problems.push({ field: 'timeZone', code: 'INVALID_TIME_ZONE', message: 'Not an IANA time zone such as Europe/Berlin.' });
  const consent = vocabulary(CONSENTS, row.consent);
  if (consent === undefined) problems.push({ field: 'consent', code: 'IMPORT_INVALID_VALUE', message: `Consent must be one of ${CONSENTS.join(', ')}.` });
  const status = vocabulary(CONTACT_STATUSES, row.status);
  if (status === undefined) problems.push({ field: 'status', code: 'IMPORT_INVALID_VALUE', message: `Status must be one of ${CONTACT_STATUSES.join(', ')}.` });
  let companyId: string | null = null;
  if (row.company_id !== null) {
    if (UUID.test(row.company_id)) companyId = row.company_id.toLowerCase();
    else problems.push({ field: 'companyId', code: 'UNKNOWN_COMPANY', message: 'Not a company id (a UUID).' });
  }
  return { problems, values: { consent: consent ?? null, status: status ?? null, companyId } };
}
