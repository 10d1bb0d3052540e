/**
 * Which CSV column feeds which contact field: detected from common header names (English, plus a few
 * French and German ones), overridable per field by the caller. Pure.
 */
import { IMPORT_FIELDS, type ImportField } from './vocabulary';

export type ColumnMapping = Partial<Record<ImportField, number>>;

const fold = (header: string) => header.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().replace(/[^a-z0-9]/g, '');

/** Folded header names per field, most specific first. */
const SYNONYMS: Record<ImportField, string[]> = {
  email: ['email', 'emailaddress', 'mail', 'email1', 'primaryemail', 'workemail', 'businessemail', 'courriel', 'emailadresse'],
  firstName: ['firstname', 'first', 'givenname', 'forename', 'prenom', 'vorname'],
  lastName: ['lastname', 'last', 'surname', 'familyname', 'nom', 'nachname'],
  companyId: ['companyid', 'accountid', 'organizationid', 'organisationid'],
  companyName: ['company', 'companyname', 'organization', 'organisation', 'account', 'accountname', 'firma', 'entreprise', 'societe'],
  timeZone: ['timezone', 'tz', 'zone', 'zeitzone', 'fuseauhoraire'],
  consent: ['consent', 'emailconsent', 'marketingconsent', 'optin'],
  status: ['status', 'contactstatus'],
};

/** Detects each field's column from the header row; a column feeds at most one field. */
export function detectMapping(headers: readonly string[]): ColumnMapping {
  const folded = headers.map(fold);
  const taken = new Set<number>();
  const mapping: ColumnMapping = {};
  for (const field of IMPORT_FIELDS) {
    for (const synonym of SYNONYMS[field]) {
      const index = folded.findIndex((h, i) => h === synonym && !taken.has(i));
      if (index >= 0) {
        mapping[field] = index;
        taken.add(index);
        break;
      }
    }
  }
  return mapping;
}

export type MappingOverride = Partial<Record<ImportField, string | null>>;
export type MappingResult = { ok: true; mapping: ColumnMapping } | { ok: false; problems: { field: ImportField; problem: string }[] };

/**
 * The detected mapping with the caller's overrides (`{ field: "Header name" }`, or null to leave the
 * field out). An override naming a header the file does not have is a problem naming the field.
 */
export function resolveMapping(headers: readonly string[], override: MappingOverride = {}): MappingResult {
  const mapping = detectMapping(headers);
  const problems: { field: ImportField; problem: string }[] = [];
  for (const [field, header] of Object.entries(override) as [ImportField, string | null][]) {
    if (header === null) {
      delete mapping[field];
      continue;
    }
    let index = headers.indexOf(header);
    if (index < 0) index = headers.findIndex((h) => fold(h) === fold(header));
    if (index < 0) {
      problems.push({ field, problem: `the file has no column "${header}"` });
      continue;
    }
    for (const other of Object.keys(mapping) as ImportField[]) if (mapping[other] === index && other !== field) delete mapping[other];
    mapping[field] = index;
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, mapping };
}

/** The mapping as field → header name (what the status shows). */
export function describeMapping(headers: readonly string[], mapping: ColumnMapping): Partial<Record<ImportField, string>> {
  const out: Partial<Record<ImportField, string>> = {};
  for (const [field, index] of Object.entries(mapping) as [ImportField, number][]) out[field] = headers[index] ?? '';
  return out;
}

/** Headers no field reads (reported, not an error: exports carry ids and timestamps the import ignores). */
export function ignoredColumns(headers: readonly string[], mapping: ColumnMapping): string[] {
  const used = new Set(Object.values(mapping));
  return headers.filter((_, i) => !used.has(i));
}
