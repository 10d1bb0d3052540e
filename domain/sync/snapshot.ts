/**
 * What the engine reads of each CRM record and the one shape it keeps it in (a snapshot): REST answers
 * typed JSON, Bulk 2.0 answers CSV text, and both must decide identically. Booleans are booleans,
 * datetimes ISO-8601 (UTC, `Z`), everything else a string or null.
 */
import type { SyncSettings } from './settings';
import type { SyncObject } from './vocabulary';

export type SnapshotValue = string | boolean | null;
export type CrmSnapshot = Record<string, SnapshotValue> & { Id: string };

const SYSTEM = ['Id', 'IsDeleted', 'MasterRecordId', 'SystemModstamp', 'OwnerId'];
const ADDRESS_PARTS = ['Street', 'City', 'State', 'PostalCode', 'Country'];
export const ADDRESS_PREFIX: Record<SyncObject, string | null> = { Account: 'Billing', Contact: 'Mailing', Lead: null };

const STANDARD: Record<SyncObject, string[]> = {
  Account: ['Name', 'Type', 'Website'],
  Contact: ['AccountId', 'FirstName', 'LastName', 'Email', 'HasOptedOutOfEmail', 'IsEmailBounced'],
  Lead: ['FirstName', 'LastName', 'Email', 'Company', 'HasOptedOutOfEmail', 'IsConverted', 'ConvertedContactId'],
};

const KNOWN_BOOLEANS = new Set(['IsDeleted', 'HasOptedOutOfEmail', 'IsEmailBounced', 'IsConverted']);

/** The CRM fields a cycle reads for `object` under these settings (no duplicates, stable order). */
export function fieldsToRead(object: SyncObject, settings: SyncSettings): string[] {
  const fields = [...SYSTEM, ...STANDARD[object]];
  if (object !== 'Lead') fields.push(settings.activeField);
  if (object === 'Account' && settings.domainsField) fields.push(settings.domainsField);
  const prefix = ADDRESS_PREFIX[object];
  if (settings.syncAddresses && prefix) fields.push(...ADDRESS_PARTS.map((p) => `${prefix}${p}`));
  if (settings.filter && settings.filter.object === object) fields.push(settings.filter.field);
  for (const custom of settings.customFields) if (custom.object === object) fields.push(custom.field);
  const seen = new Set<string>();
  return fields.filter((f) => {
    const key = f.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Fields whose values are checkboxes under these settings (one set per settings object: a load reads 100,000 records with the same). */
const booleansOf = new WeakMap<SyncSettings, Set<string>>();
function booleanFields(settings: SyncSettings): Set<string> {
  let set = booleansOf.get(settings);
  if (!set) booleansOf.set(settings, (set = new Set([...KNOWN_BOOLEANS, settings.activeField])));
  return set;
}

/** `2026-01-01T10:15:42.000+0000` (REST) or `…Z` (Bulk) → `2026-01-01T10:15:42.000Z`. */
export function isoDateTime(text: string): string | null {
  const d = new Date(text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

function normaliseValue(field: string, raw: unknown, booleans: Set<string>): SnapshotValue {
  if (raw === undefined || raw === null || raw === '') return null;
  if (booleans.has(field)) return raw === true || raw === 'true' || raw === 'TRUE' || raw === '1';
  if (field === 'SystemModstamp' && typeof raw === 'string') return isoDateTime(raw);
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  return JSON.stringify(raw);
}

/** A REST record (typed JSON) or a Bulk CSV row (text) as a snapshot of exactly `fields`. */
export function toSnapshot(raw: Record<string, unknown>, fields: string[], settings: SyncSettings): CrmSnapshot {
  const booleans = booleanFields(settings);
  const out: Record<string, SnapshotValue> = {};
  for (const field of fields) out[field] = normaliseValue(field, raw[field], booleans);
  // Checkboxes are never null in Salesforce; a missing one reads as false.
  for (const field of fields) if (booleans.has(field) && out[field] === null) out[field] = false;
  out.Id = String(raw.Id);
  return out as CrmSnapshot;
}

export const text = (s: CrmSnapshot | null | undefined, field: string): string | null => {
  const v = s?.[field];
  return typeof v === 'string' ? v : null;
};

export const flag = (s: CrmSnapshot | null | undefined, field: string): boolean => s?.[field] === true;

/** Domains of an account: its website's host and its domains field, lower-case, without `www.`. */
export function accountDomains(s: CrmSnapshot, settings: SyncSettings): string[] {
  const out = new Set<string>();
  const website = text(s, 'Website');
  if (website) {
    try {
      out.add(new URL(/^https?:\/\//i.test(website) ? website : `https://${website}`).hostname.toLowerCase().replace(/^www\./, ''));
    } catch {
      // Not a URL: no domain from it.
    }
  }
  const listed = settings.domainsField ? text(s, settings.domainsField) : null;
  for (const part of (listed ?? '').split(/[\s,;]+/)) {
    const d = part.trim().toLowerCase().replace(/^www\./, '');
    if (/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(d)) out.add(d);
  }
  return [...out];
}
