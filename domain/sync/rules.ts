/**
 * The inbound rules (RULES.md "CRM sync"): one pure function decides what happens to a CRM record,
 * given its snapshot and the facts the engine looked up. The loop, the diagnostics endpoints and
 * part 2's dry run all call it, so "what it did" and "why" can never disagree. Every rule that applies
 * is reported with pass/fail; the first failing blocking rule decides. Details hold ids and field
 * names only, never values (they are shown to operators).
 */
import { isValidEmail, normalizeEmail } from '../email-address';
import type { ReasonCode } from '../reason-codes';
import type { SyncSettings } from './settings';
import { flag, text, type CrmSnapshot } from './snapshot';
import type { SyncObject, SyncRecordStatus } from './vocabulary';

export type SyncRuleName =
  | 'crm_state'
  | 'erased'
  | 'filter'
  | 'company_active'
  | 'contact_active'
  | 'email_valid'
  | 'email_unique'
  | 'b2c'
  | 'scope'
  | 'company_linked'
  | 'duplicate_on_create'
  | 'addresses';

export interface SyncRuleDefinition {
  rule: SyncRuleName;
  objects: readonly SyncObject[];
  codes: readonly ReasonCode[];
  description: string;
}

/** The catalogue, in evaluation order (docs and the diagnostics endpoints list rules from it). */
export const SYNC_RULES: readonly SyncRuleDefinition[] = [
  { rule: 'crm_state', objects: ['Account', 'Contact', 'Lead'], codes: ['CRM_DELETED', 'CRM_MERGED', 'CRM_LEAD_CONVERTED'], description: 'A record deleted, merged or converted in the CRM stops syncing and is not recreated (until undeleted, or a new record with its email appears).' },
  { rule: 'erased', objects: ['Contact', 'Lead'], codes: ['ERASED'], description: 'An erased subject (GDPR, matched by keyed hash) is never re-created.' },
  { rule: 'filter', objects: ['Account', 'Contact', 'Lead'], codes: ['FILTERED_OUT'], description: "The connector's filter field (e.g. Account Type in Customer, Prospect) selects what syncs; a filter on Account also selects its contacts. A record that leaves the set keeps its last data and stops updating." },
  { rule: 'company_active', objects: ['Account', 'Contact'], codes: ['COMPANY_INACTIVE'], description: 'An inactive company receives no updates, and neither do its contacts; they keep their last data.' },
  { rule: 'contact_active', objects: ['Contact'], codes: ['CONTACT_INACTIVE', 'DELETED_INACTIVE'], description: 'A contact syncs only while Active; one that becomes inactive is made inactive locally (its enrollments end), or deleted when deleteInactiveContacts is on and its company is active.' },
  { rule: 'email_valid', objects: ['Contact', 'Lead'], codes: ['INVALID_EMAIL'], description: 'A person syncs only with a valid email address.' },
  { rule: 'email_unique', objects: ['Contact', 'Lead'], codes: ['DUPLICATE_EMAIL', 'MULTIPLE_CRM_MATCHES'], description: 'Contacts sharing an email are all excluded; a lead sharing one with a contact yields to the contact; several leads: the first. With allowDuplicateEmails every record syncs by its CRM id.' },
  { rule: 'b2c', objects: ['Contact', 'Lead'], codes: ['B2C_SKIPPED'], description: "With skipB2C, a record whose first + last name equals its company's name is skipped." },
  { rule: 'scope', objects: ['Account', 'Contact', 'Lead'], codes: ['SCOPE_LINKED_ONLY'], description: 'With scope linked_only nothing is created locally; records already linked (or matching a local email) are updated.' },
  { rule: 'company_linked', objects: ['Contact'], codes: ['NO_LINKED_COMPANY'], description: "A contact is created only under a company that exists on both sides (its account is synced); an existing local contact with its email is linked instead." },
  { rule: 'duplicate_on_create', objects: ['Account', 'Contact', 'Lead'], codes: ['POSSIBLE_DUPLICATE'], description: 'With detectDuplicatesOnCreate, a record resembling an unlinked local one is queued for a person to resolve instead of being created.' },
  { rule: 'addresses', objects: ['Account', 'Contact'], codes: ['ADDRESS_SYNC_DISABLED'], description: 'Addresses sync only when syncAddresses is on (informational: never blocks the rest of the record).' },
];

export interface RuleCheck {
  rule: SyncRuleName;
  pass: boolean;
  code: ReasonCode | null;
  /** Ids, field names and counts only. */
  detail?: string;
  /** False for informational checks that never decide the outcome. */
  blocking?: boolean;
}

/**
 * create / link: a new local record, or an existing one adopted; update: the linked record follows the
 * CRM; freeze: linked, keeps its last data; skip: nothing local; stop: deleted/merged/converted in the
 * CRM; review: queued for a person; delete_local: the local contact is deleted (DELETED_INACTIVE).
 */
export type SyncOutcome = 'create' | 'link' | 'update' | 'freeze' | 'skip' | 'stop' | 'review' | 'delete_local';

export interface SyncDecision {
  outcome: SyncOutcome;
  /** The deciding code (null when the record syncs). */
  code: ReasonCode | null;
  checks: RuleCheck[];
  /** The surviving CRM record (merge) or the contact a lead was converted to. */
  masterId?: string;
  /** link: the local record adopted. */
  linkTo?: string;
  /** review: the local records it may duplicate. */
  candidates?: string[];
  /** A linked contact the CRM made inactive: its status becomes inactive (its enrollments end). */
  markInactive?: boolean;
}

/** A local record this CRM record could be: same email (people) or same name / domain (companies). */
export interface LocalCandidate {
  id: string;
  /** Linked to another live record of the same connector and object. */
  linkedElsewhere: boolean;
}

export interface AccountFacts {
  snapshot: CrmSnapshot | null;
  status: SyncRecordStatus | null;
  localCompanyId: string | null;
}

export interface DecisionFacts {
  object: SyncObject;
  snapshot: CrmSnapshot;
  settings: SyncSettings;
  /** The local record this CRM record is linked to (it still exists), if any. */
  linkedLocalId: string | null;
  /** Contacts: their account as synced; null when the contact has none or it was never seen. */
  account: AccountFacts | null;
  erased: boolean;
  /** Other live CRM records of the same object with this email (ids), in the order the CRM lists them. */
  sameEmailSameObject: string[];
  /** Leads: a live Contact record of this connector has the same email. */
  contactHasEmail: boolean;
  /** Local records this one could link to by email (people; companies: none). */
  emailMatches: LocalCandidate[];
  /** Local records this one resembles without an email match (name within the company; companies: name or domain). */
  lookalikes: string[];
}

const pass = (rule: SyncRuleName, blocking = true): RuleCheck => ({ rule, pass: true, code: null, ...(blocking ? {} : { blocking: false }) });
const fail = (rule: SyncRuleName, code: ReasonCode, detail?: string, blocking = true): RuleCheck => ({ rule, pass: false, code, ...(detail ? { detail } : {}), ...(blocking ? {} : { blocking: false }) });

const normName = (s: string | null): string => (s ?? '').trim().toLowerCase().replace(/\s+/g, ' ');

/** First + last name equals the company name (a B2C record). */
export function isB2C(first: string | null, last: string | null, company: string | null): boolean {
  const person = normName(`${first ?? ''} ${last ?? ''}`);
  return person !== '' && person === normName(company);
}

/** The value the filter sees for this record (a filter on Account is read from a contact's account). */
function filterValue(f: DecisionFacts): { applies: boolean; value: string | null } {
  const filter = f.settings.filter;
  if (!filter) return { applies: false, value: null };
  if (filter.object === f.object) return { applies: true, value: valueAsText(f.snapshot[filter.field]) };
  if (filter.object === 'Account' && f.object === 'Contact') return { applies: true, value: valueAsText(f.account?.snapshot?.[filter.field] ?? null) };
  return { applies: false, value: null };
}

const valueAsText = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export function decideInbound(f: DecisionFacts): SyncDecision {
  const checks: RuleCheck[] = [];
  const linked = f.linkedLocalId !== null;
  const s = f.snapshot;
  const applies = (rule: SyncRuleName) => SYNC_RULES.find((r) => r.rule === rule)!.objects.includes(f.object);
  /** A failing rule: linked records keep their last data (freeze), others are not created (skip). */
  const block = (check: RuleCheck, extra: Partial<SyncDecision> = {}): SyncDecision => {
    checks.push(check);
    return { outcome: linked ? 'freeze' : 'skip', code: check.code, checks, ...extra };
  };

  // crm_state
  if (flag(s, 'IsDeleted')) {
    const master = text(s, 'MasterRecordId');
    checks.push(fail('crm_state', master ? 'CRM_MERGED' : 'CRM_DELETED', master ? `merged into ${master}` : undefined));
    return { outcome: 'stop', code: master ? 'CRM_MERGED' : 'CRM_DELETED', checks, ...(master ? { masterId: master } : {}) };
  }
  if (f.object === 'Lead' && flag(s, 'IsConverted')) {
    const contactId = text(s, 'ConvertedContactId');
    checks.push(fail('crm_state', 'CRM_LEAD_CONVERTED', contactId ? `converted to ${contactId}` : undefined));
    return { outcome: 'stop', code: 'CRM_LEAD_CONVERTED', checks, ...(contactId ? { masterId: contactId } : {}) };
  }
  checks.push(pass('crm_state'));

  if (applies('erased')) {
    if (f.erased) return block(fail('erased', 'ERASED'));
    checks.push(pass('erased'));
  }

  const filter = filterValue(f);
  if (filter.applies) {
    const allowed = f.settings.filter!.values;
    if (filter.value === null || !allowed.includes(filter.value)) return block(fail('filter', 'FILTERED_OUT', `${f.settings.filter!.object}.${f.settings.filter!.field} is not one of the allowed values`));
    checks.push(pass('filter'));
  }

  const active = f.settings.activeField;
  let companyActive = true;
  if (f.object === 'Account') {
    companyActive = s[active] !== false;
    if (!companyActive) return block(fail('company_active', 'COMPANY_INACTIVE', `${active} is false`));
    checks.push(pass('company_active'));
  } else if (f.object === 'Contact' && f.account?.snapshot) {
    companyActive = f.account.snapshot[active] !== false;
    if (!companyActive) return block(fail('company_active', 'COMPANY_INACTIVE', `account ${f.account.snapshot.Id}: ${active} is false`));
    checks.push(pass('company_active'));
  }

  if (f.object === 'Contact') {
    if (s[active] === false) {
      if (linked && f.settings.deleteInactiveContacts && companyActive) {
        checks.push(fail('contact_active', 'DELETED_INACTIVE', `${active} is false`));
        return { outcome: 'delete_local', code: 'DELETED_INACTIVE', checks };
      }
      return block(fail('contact_active', 'CONTACT_INACTIVE', `${active} is false`), linked ? { markInactive: true } : {});
    }
    checks.push(pass('contact_active'));
  }

  if (f.object !== 'Account') {
    const email = text(s, 'Email');
    if (!email || !isValidEmail(email)) return block(fail('email_valid', 'INVALID_EMAIL', email ? 'Email is not a valid address' : 'Email is empty'));
    checks.push(pass('email_valid'));

    if (!f.settings.allowDuplicateEmails) {
      if (f.object === 'Contact' && f.sameEmailSameObject.length > 0) {
        return block(fail('email_unique', 'DUPLICATE_EMAIL', `also on ${f.sameEmailSameObject.slice(0, 5).join(', ')}`));
      }
      if (f.object === 'Lead' && f.contactHasEmail) return block(fail('email_unique', 'MULTIPLE_CRM_MATCHES', 'a contact has this email: it syncs instead'));
      if (f.object === 'Lead') {
        const first = [s.Id, ...f.sameEmailSameObject].sort()[0];
        if (first !== s.Id) return block(fail('email_unique', 'MULTIPLE_CRM_MATCHES', `lead ${first} has this email and syncs instead`));
      }
    }
    checks.push(pass('email_unique'));
  }

  if (f.object !== 'Account' && f.settings.skipB2C) {
    const company = f.object === 'Lead' ? text(s, 'Company') : text(f.account?.snapshot, 'Name');
    if (isB2C(text(s, 'FirstName'), text(s, 'LastName'), company)) return block(fail('b2c', 'B2C_SKIPPED', 'first + last name equals the company name'));
    checks.push(pass('b2c'));
  }

  if (!linked) {
    // An existing local record with this email is adopted, not created: scope and company-first do not apply.
    const match = f.emailMatches.find((c) => !c.linkedElsewhere);
    if (match) return finish({ outcome: 'link', code: null, checks, linkTo: match.id });
    if (f.settings.scope === 'linked_only') return block(fail('scope', 'SCOPE_LINKED_ONLY', 'no linked local record'));
    checks.push(pass('scope'));
    if (f.object === 'Contact') {
      const accountId = text(s, 'AccountId');
      const companyLinked = Boolean(f.account?.localCompanyId) && f.account?.status !== 'stopped';
      if (!companyLinked) return block(fail('company_linked', 'NO_LINKED_COMPANY', accountId ? `account ${accountId} is not linked to a local company` : 'the contact has no account'));
      checks.push(pass('company_linked'));
    }
    if (f.settings.detectDuplicatesOnCreate && f.lookalikes.length > 0) {
      checks.push(fail('duplicate_on_create', 'POSSIBLE_DUPLICATE', `resembles ${f.lookalikes.slice(0, 5).join(', ')}`));
      return finish({ outcome: 'review', code: 'POSSIBLE_DUPLICATE', checks, candidates: f.lookalikes });
    }
    checks.push(pass('duplicate_on_create'));
    return finish({ outcome: 'create', code: null, checks });
  }
  return finish({ outcome: 'update', code: null, checks });

  function finish(d: SyncDecision): SyncDecision {
    if (applies('addresses') && !f.settings.syncAddresses) d.checks.push(fail('addresses', 'ADDRESS_SYNC_DISABLED', undefined, false));
    else if (applies('addresses')) d.checks.push(pass('addresses', false));
    return d;
  }
}

/** The email a person record is matched by (normalised), or null. */
export function matchEmail(s: CrmSnapshot): string | null {
  const email = text(s, 'Email');
  return email && isValidEmail(email) ? normalizeEmail(email) : null;
}
