/**
 * What an inbound CRM record writes on its local contact or company, field by field, under the
 * conflict policy (RULES.md "CRM wins"): a field the CRM changed since the last sync is written,
 * unless the local value also changed and the field is a custom field set to `local_overrides`;
 * a field only changed locally keeps its local value. `applied` is what the sync last wrote (so a
 * local change is seen), `sources` says which side last wrote each field. Pure.
 */
import { normalizeEmail } from '../email-address';
import type { ReasonCode } from '../reason-codes';
import type { CustomFieldMapping, SyncSettings } from './settings';
import { accountDomains, ADDRESS_PREFIX, flag, text, type CrmSnapshot } from './snapshot';
import type { SyncObject } from './vocabulary';

export type LocalValue = string | string[] | Record<string, string | null> | null;
/** Local values by field key: email, firstName, lastName, companyId, consent, status, name, domains, type, address, custom.<Field>. */
export type LocalValues = Record<string, LocalValue>;
export type FieldSource = 'crm' | 'local';

export interface FieldConflict {
  field: string;
  code: Extract<ReasonCode, 'CONFLICT_CRM_WINS' | 'CONFLICT_LOCAL_OVERRIDE'>;
}

export interface LocalPlan {
  /** Fields to write (only those that change). */
  set: LocalValues;
  applied: LocalValues;
  sources: Record<string, FieldSource>;
  conflicts: FieldConflict[];
}

export interface PlanInput {
  object: SyncObject;
  snapshot: CrmSnapshot;
  settings: SyncSettings;
  /** The local record's current values (empty for a record about to be created). */
  current: LocalValues;
  /** What the sync wrote last time (empty before the first sync of this link). */
  applied: LocalValues;
  sources: Record<string, FieldSource>;
  /** Contacts: the local company of the account, when linked. */
  companyId: string | null;
  /** The CRM made this linked contact inactive. */
  markInactive?: boolean;
  creating: boolean;
}

const equal = (a: LocalValue | undefined, b: LocalValue | undefined): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

function address(s: CrmSnapshot, object: SyncObject): Record<string, string | null> | null {
  const prefix = ADDRESS_PREFIX[object];
  if (!prefix) return null;
  const parts = { street: text(s, `${prefix}Street`), city: text(s, `${prefix}City`), state: text(s, `${prefix}State`), postalCode: text(s, `${prefix}PostalCode`), country: text(s, `${prefix}Country`) };
  return Object.values(parts).some((v) => v !== null) ? parts : null;
}

/** The values the CRM record asks for, by field key (fields it has no say on are absent). */
export function crmValues(input: Pick<PlanInput, 'object' | 'snapshot' | 'settings' | 'current' | 'applied' | 'companyId' | 'markInactive' | 'creating'>): LocalValues {
  const { object, snapshot: s, settings } = input;
  const out: LocalValues = {};
  if (object === 'Account') {
    out.name = text(s, 'Name');
    out.type = text(s, 'Type');
    const crmDomains = accountDomains(s, settings);
    // Domains added locally stay; those the CRM dropped since it last wrote them go.
    const current = (input.current.domains as string[] | undefined) ?? [];
    const wrote = new Set((input.applied.domains as string[] | undefined) ?? []);
    out.domains = [...new Set([...crmDomains, ...current.filter((d) => !wrote.has(d))])].sort();
  } else {
    const email = text(s, 'Email');
    out.email = email ? email.trim() : null;
    out.firstName = text(s, 'FirstName');
    out.lastName = text(s, 'LastName');
    if (object === 'Contact' && input.companyId) out.companyId = input.companyId;
    const optedOut = flag(s, 'HasOptedOutOfEmail');
    if (optedOut) out.consent = 'opted_out';
    else if (input.creating) out.consent = 'unknown';
    else if (input.applied.consent === 'opted_out') out.consent = 'unknown'; // the CRM lifted its own opt-out: not a consent
    const bounced = flag(s, 'IsEmailBounced');
    if (input.markInactive) out.status = 'inactive';
    else if (bounced) out.status = 'bounced';
    else if (input.creating) out.status = 'active';
    else if (input.applied.status === 'bounced' || input.applied.status === 'inactive') out.status = 'active'; // undoing what the CRM had set
  }
  if (settings.syncAddresses && ADDRESS_PREFIX[object]) out.address = address(s, object);
  for (const custom of settings.customFields) if (custom.object === object) out[`custom.${custom.field}`] = text(s, custom.field);
  return out;
}

function policyOf(field: string, object: SyncObject, customFields: CustomFieldMapping[]): 'crm_wins' | 'local_overrides' {
  if (!field.startsWith('custom.')) return 'crm_wins';
  const name = field.slice('custom.'.length);
  return customFields.find((c) => c.object === object && c.field === name)?.policy ?? 'crm_wins';
}

/** The email key compares case-insensitively (a re-cased address is no change). */
const same = (field: string, a: LocalValue | undefined, b: LocalValue | undefined): boolean =>
  field === 'email' && typeof a === 'string' && typeof b === 'string' ? normalizeEmail(a) === normalizeEmail(b) : equal(a, b);

export function planLocalWrite(input: PlanInput): LocalPlan {
  const wanted = crmValues(input);
  const set: LocalValues = {};
  const applied: LocalValues = { ...input.applied };
  const sources: Record<string, FieldSource> = { ...input.sources };
  const conflicts: FieldConflict[] = [];
  for (const [field, crm] of Object.entries(wanted)) {
    const current = input.current[field];
    const hasApplied = Object.prototype.hasOwnProperty.call(input.applied, field);
    const crmChanged = !hasApplied || !same(field, input.applied[field], crm);
    const localChanged = hasApplied ? !same(field, current, input.applied[field]) : !input.creating && current !== null && current !== undefined;
    if (same(field, current, crm)) {
      applied[field] = crm;
      if (crmChanged || !sources[field]) sources[field] = 'crm';
      continue;
    }
    if (!crmChanged) {
      // Only the local side changed: it keeps its value (the CRM has nothing new to say).
      sources[field] = 'local';
      continue;
    }
    if (localChanged && policyOf(field, input.object, input.settings.customFields) === 'local_overrides') {
      conflicts.push({ field, code: 'CONFLICT_LOCAL_OVERRIDE' });
      applied[field] = crm;
      sources[field] = 'local';
      continue;
    }
    if (localChanged) conflicts.push({ field, code: 'CONFLICT_CRM_WINS' });
    set[field] = crm;
    applied[field] = crm;
    sources[field] = 'crm';
  }
  return { set, applied, sources, conflicts };
}
