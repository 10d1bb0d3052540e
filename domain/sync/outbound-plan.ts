/**
 * What a local record writes on its CRM record, field by field, under the same per-field policy as
 * the inbound direction (local-plan.ts), so a value never ping-pongs: a field is pushed only when it
 * changed locally since the last sync (it differs from `applied`) and the CRM does not have it yet;
 * a field changed on both sides takes the CRM value (CONFLICT_CRM_WINS: not pushed), unless it is a
 * custom field set to `local_overrides` (CONFLICT_LOCAL_OVERRIDE: pushed). After a push, `applied`
 * holds the pushed value and the field's source is `local`, so the CRM's echo of our own write is no
 * change for the inbound rules. Pure.
 */
import { normalizeEmail } from '../email-address';
import type { FieldConflict, FieldSource, LocalValue, LocalValues } from './local-plan';
import type { CustomFieldMapping, SyncSettings } from './settings';
import { accountDomains, ADDRESS_PREFIX, fieldsToRead, flag, text, type CrmSnapshot, type SnapshotValue } from './snapshot';
import type { SyncObject } from './vocabulary';

export type CrmValues = Record<string, SnapshotValue>;

interface FieldMapping {
  /** Local field key (local-plan.ts): email, firstName, …, custom.<Field>. */
  local: string;
  /** The CRM fields this local value becomes. */
  toCrm(value: LocalValue): CrmValues;
  /** Whether the CRM record already holds this local value. */
  equalsCrm(value: LocalValue, s: CrmSnapshot): boolean;
}

const ADDRESS_PARTS = [['street', 'Street'], ['city', 'City'], ['state', 'State'], ['postalCode', 'PostalCode'], ['country', 'Country']] as const;
const str = (v: LocalValue | undefined): string | null => (typeof v === 'string' && v !== '' ? v : null);
const sameText = (a: string | null, b: string | null) => (a ?? '') === (b ?? '');

function plain(local: string, crm: string): FieldMapping {
  return { local, toCrm: (v) => ({ [crm]: str(v) }), equalsCrm: (v, s) => sameText(str(v), text(s, crm)) };
}

function addressMapping(prefix: string): FieldMapping {
  const part = (v: LocalValue, key: string): string | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v[key] ?? null) : null);
  return {
    local: 'address',
    toCrm: (v) => Object.fromEntries(ADDRESS_PARTS.map(([key, crm]) => [`${prefix}${crm}`, part(v, key)])),
    equalsCrm: (v, s) => ADDRESS_PARTS.every(([key, crm]) => sameText(part(v, key), text(s, `${prefix}${crm}`))),
  };
}

/** The mapped fields of an object under these settings; `accountOf` turns a local company id into its CRM account id. */
export function outboundMappings(object: SyncObject, settings: SyncSettings, accountOf: (companyId: string | null) => string | null): FieldMapping[] {
  const out: FieldMapping[] = [];
  if (object === 'Account') {
    out.push(plain('name', 'Name'), plain('type', 'Type'));
    const domainsField = settings.domainsField;
    if (domainsField) {
      out.push({
        local: 'domains',
        toCrm: (v) => ({ [domainsField]: Array.isArray(v) && v.length > 0 ? [...v].sort().join(', ') : null }),
        equalsCrm: (v, s) => JSON.stringify([...(Array.isArray(v) ? v : [])].sort()) === JSON.stringify(accountDomains(s, settings).sort()),
      });
    }
  } else {
    out.push(
      { local: 'email', toCrm: (v) => ({ Email: str(v) }), equalsCrm: (v, s) => (str(v) ? normalizeEmail(str(v)!) : '') === (text(s, 'Email') ? normalizeEmail(text(s, 'Email')!) : '') },
      plain('firstName', 'FirstName'),
      plain('lastName', 'LastName'),
      { local: 'consent', toCrm: (v) => ({ HasOptedOutOfEmail: v === 'opted_out' }), equalsCrm: (v, s) => (v === 'opted_out') === flag(s, 'HasOptedOutOfEmail') },
    );
    if (object === 'Contact') {
      out.push({
        local: 'companyId',
        toCrm: (v): CrmValues => {
          const account = accountOf(str(v));
          return account || !str(v) ? { AccountId: account } : {};
        },
        equalsCrm: (v, s) => sameText(accountOf(str(v)), text(s, 'AccountId')),
      });
      const active = settings.activeField;
      out.push({ local: 'status', toCrm: (v) => ({ [active]: v !== 'inactive' }), equalsCrm: (v, s) => (v !== 'inactive') === (s[active] !== false) });
    }
  }
  const prefix = ADDRESS_PREFIX[object];
  if (settings.syncAddresses && prefix) out.push(addressMapping(prefix));
  for (const custom of settings.customFields) if (custom.object === object) out.push(plain(`custom.${custom.field}`, custom.field));
  return out;
}

function policyOf(field: string, object: SyncObject, customFields: CustomFieldMapping[]): 'crm_wins' | 'local_overrides' {
  if (!field.startsWith('custom.')) return 'crm_wins';
  return customFields.find((c) => c.object === object && c.field === field.slice('custom.'.length))?.policy ?? 'crm_wins';
}

const equal = (a: LocalValue | undefined, b: LocalValue | undefined): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const sameLocal = (field: string, a: LocalValue | undefined, b: LocalValue | undefined): boolean =>
  field === 'email' && typeof a === 'string' && typeof b === 'string' ? normalizeEmail(a) === normalizeEmail(b) : equal(a, b);

export interface OutboundPlanInput {
  object: SyncObject;
  settings: SyncSettings;
  /** The local record's current values. */
  local: LocalValues;
  /** What the sync last wrote or pushed (empty when creating). */
  applied: LocalValues;
  sources: Record<string, FieldSource | string>;
  /** The CRM record as last read; null when the push creates it. */
  snapshot: CrmSnapshot | null;
  accountOf: (companyId: string | null) => string | null;
}

export interface OutboundPlan {
  /** CRM fields to write (only those that change; every mapped non-empty field on a create). */
  fields: CrmValues;
  /** Local field keys pushed. */
  pushed: string[];
  applied: LocalValues;
  sources: Record<string, FieldSource | string>;
  conflicts: FieldConflict[];
}

export function planCrmWrite(input: OutboundPlanInput): OutboundPlan {
  const { object, settings, snapshot: s } = input;
  const fields: CrmValues = {};
  const pushed: string[] = [];
  const applied: LocalValues = { ...input.applied };
  const sources = { ...input.sources };
  const conflicts: FieldConflict[] = [];
  for (const m of outboundMappings(object, settings, input.accountOf)) {
    const value = input.local[m.local] ?? null;
    if (!s) {
      // Creating: every field with a value (the CRM's defaults stand for the rest).
      const crm = m.toCrm(value);
      if (Object.values(crm).some((v) => v !== null)) Object.assign(fields, crm);
      applied[m.local] = value;
      sources[m.local] = 'local';
      pushed.push(m.local);
      continue;
    }
    if (m.equalsCrm(value, s)) {
      applied[m.local] = value;
      continue;
    }
    const hasApplied = Object.prototype.hasOwnProperty.call(input.applied, m.local);
    // Unchanged locally since the last sync: the CRM moved, which is the inbound direction's business.
    if (hasApplied && sameLocal(m.local, value, input.applied[m.local])) continue;
    const crmChanged = hasApplied && !m.equalsCrm(input.applied[m.local] ?? null, s);
    if (crmChanged) {
      if (policyOf(m.local, object, settings.customFields) === 'crm_wins') {
        conflicts.push({ field: m.local, code: 'CONFLICT_CRM_WINS' });
        continue;
      }
      conflicts.push({ field: m.local, code: 'CONFLICT_LOCAL_OVERRIDE' });
    }
    const crm = m.toCrm(value);
    // Nothing the CRM can hold (a company not linked to an account): the field waits, unchanged.
    if (Object.keys(crm).length === 0) continue;
    Object.assign(fields, crm);
    applied[m.local] = value;
    sources[m.local] = 'local';
    pushed.push(m.local);
  }
  return { fields, pushed, applied, sources, conflicts };
}

/**
 * The stored snapshot after a push: the written fields patched in (a create gets every field a cycle
 * reads, the CRM's defaults for the rest), so a re-decision from it before the CRM's echo arrives sees
 * what the CRM now holds.
 */
export function snapshotAfterPush(object: SyncObject, settings: SyncSettings, before: CrmSnapshot | null, externalId: string, fields: CrmValues): CrmSnapshot {
  if (before) return { ...before, ...pick(fields, Object.keys(before)), Id: externalId };
  const base: Record<string, SnapshotValue> = {};
  for (const f of fieldsToRead(object, settings)) base[f] = null;
  for (const f of ['IsDeleted', 'HasOptedOutOfEmail', 'IsEmailBounced', 'IsConverted']) if (f in base) base[f] = false;
  if (object !== 'Lead') base[settings.activeField] = true;
  return { ...base, ...pick(fields, Object.keys(base)), Id: externalId } as CrmSnapshot;
}

function pick(fields: CrmValues, keys: string[]): CrmValues {
  const wanted = new Set(keys.map((k) => k.toLowerCase()));
  return Object.fromEntries(Object.entries(fields).filter(([k]) => wanted.has(k.toLowerCase())));
}
