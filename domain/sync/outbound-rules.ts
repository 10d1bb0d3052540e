/**
 * The outbound rules (issue 11 "Outbound"): one pure function decides what a queued local record does
 * to the CRM, given the facts the engine looked up. Same shape as the inbound rules (rules.ts): every
 * rule that applies is reported with pass/fail, the first failing one decides, details hold ids and
 * field names only. The loop and the dry run both call it.
 *
 * - A contact already linked to a synced CRM record updates it; a linked record that does not sync
 *   (frozen, under review, deleted, merged, converted in the CRM) is not written.
 * - Otherwise a CRM person with the same email links it (decided by the inbound rules, contact over
 *   lead, several contacts: DUPLICATE_EMAIL). Without one, only an owned contact creates a CRM record
 *   (UNASSIGNED_NO_CRM_MATCH), and only under a company linked to a synced account (NO_LINKED_COMPANY),
 *   never an inactive one, never one the inbound rules would skip (B2C, a filter on Contact).
 * - A company updates its linked account; companies have no owner: an unlinked one creates nothing.
 * - Email activity becomes a Task on the contact's synced CRM record (CONTACT_NOT_SYNCED until then).
 * - Erased subjects are never pushed (ERASED); a record whose CRM side changed since it was read waits
 *   for that change to be applied first (CRM_CHANGE_PENDING), so the CRM wins a field changed on both.
 */
import { isValidEmail } from '../email-address';
import type { ReasonCode } from '../reason-codes';
import { isB2C } from './rules';
import type { SyncSettings } from './settings';
import type { SyncObject, SyncRecordStatus } from './vocabulary';

export type OutboundRuleName = 'erased' | 'link_state' | 'crm_change' | 'email_valid' | 'crm_match' | 'owner' | 'contact_active' | 'company_linked' | 'b2c' | 'filter' | 'contact_synced';

export interface OutboundCheck {
  rule: OutboundRuleName;
  pass: boolean;
  code: ReasonCode | null;
  detail?: string;
}

/** update: write changed fields on the linked record; create: a new CRM record (upsert on our external id); park: not pushed, with its code. */
export type OutboundOutcome = 'update' | 'create' | 'park';

export interface OutboundDecision {
  outcome: OutboundOutcome;
  code: ReasonCode | null;
  checks: OutboundCheck[];
  /** update: the CRM record written. */
  target?: { object: SyncObject; externalId: string };
  /** create (contacts): the CRM account the contact is created under. */
  accountId?: string;
}

export interface CrmLinkFacts {
  object: SyncObject;
  externalId: string;
  status: SyncRecordStatus;
  code: string | null;
}

export interface ContactOutboundFacts {
  settings: SyncSettings;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  ownerId: string | null;
  status: string;
  erased: boolean;
  /** The CRM person linked to this contact: a live link (synced, frozen, review) first, else a stopped one. */
  link: CrmLinkFacts | null;
  /** The CRM record changed since it was read and the change is not applied yet. */
  crmChangePending: boolean;
  /** CRM people of this connector with the same email that are not stopped and not linked to another local contact. */
  crmMatches: CrmLinkFacts[];
  /** CRM people with the same email linked to another local contact. */
  matchesLinkedElsewhere: number;
  /** The CRM account linked to the contact's company (null: no company, or it is not linked). */
  account: (CrmLinkFacts & { name: string | null }) | null;
  hasCompany: boolean;
}

const pass = (rule: OutboundRuleName): OutboundCheck => ({ rule, pass: true, code: null });
const fail = (rule: OutboundRuleName, code: ReasonCode, detail?: string): OutboundCheck => ({ rule, pass: false, code, ...(detail ? { detail } : {}) });

function park(checks: OutboundCheck[], check: OutboundCheck): OutboundDecision {
  checks.push(check);
  return { outcome: 'park', code: check.code, checks };
}

/** A linked record that is not `synced` is not written; its own code says why (FILTERED_OUT, CRM_DELETED, …). */
function linkState(checks: OutboundCheck[], link: CrmLinkFacts): OutboundDecision | null {
  if (link.status === 'synced') {
    checks.push(pass('link_state'));
    return null;
  }
  const code = (link.code ?? (link.status === 'review' ? 'POSSIBLE_DUPLICATE' : 'CRM_DELETED')) as ReasonCode;
  return park(checks, fail('link_state', code, `${link.object} ${link.externalId} is ${link.status}`));
}

export function decideContactOutbound(f: ContactOutboundFacts): OutboundDecision {
  const checks: OutboundCheck[] = [];
  if (f.erased) return park(checks, fail('erased', 'ERASED'));
  checks.push(pass('erased'));

  const live = f.link && f.link.status !== 'stopped' && f.link.status !== 'deleted_local' ? f.link : null;
  if (live) {
    const blocked = linkState(checks, live);
    if (blocked) return blocked;
    if (!f.email || !isValidEmail(f.email)) return park(checks, fail('email_valid', 'INVALID_EMAIL', f.email ? 'email is not a valid address' : 'email is empty'));
    checks.push(pass('email_valid'));
    if (f.crmChangePending) return park(checks, fail('crm_change', 'CRM_CHANGE_PENDING', `${live.object} ${live.externalId} changed in the CRM`));
    checks.push(pass('crm_change'));
    return { outcome: 'update', code: null, checks, target: { object: live.object, externalId: live.externalId } };
  }

  if (!f.email || !isValidEmail(f.email)) return park(checks, fail('email_valid', 'INVALID_EMAIL', f.email ? 'email is not a valid address' : 'email is empty'));
  checks.push(pass('email_valid'));

  // A CRM person with this email exists but the inbound rules did not link it: its code says why.
  const contacts = f.crmMatches.filter((m) => m.object === 'Contact');
  if (contacts.length > 1 && !f.settings.allowDuplicateEmails) return park(checks, fail('crm_match', 'DUPLICATE_EMAIL', `${contacts.length} CRM contacts have this email`));
  const match = contacts[0] ?? [...f.crmMatches].sort((a, b) => (a.externalId < b.externalId ? -1 : 1))[0];
  if (match) return park(checks, fail('crm_match', (match.code ?? 'MULTIPLE_CRM_MATCHES') as ReasonCode, `${match.object} ${match.externalId} has this email and is ${match.status}`));
  if (f.matchesLinkedElsewhere > 0) return park(checks, fail('crm_match', 'DUPLICATE_EMAIL', 'the CRM record with this email is linked to another local contact'));
  if (f.link) return park(checks, fail('link_state', (f.link.code ?? 'CRM_DELETED') as ReasonCode, `${f.link.object} ${f.link.externalId} is ${f.link.status}: not re-created`));
  checks.push(pass('crm_match'));

  if (!f.ownerId) return park(checks, fail('owner', 'UNASSIGNED_NO_CRM_MATCH', 'no owner and no CRM record with this email'));
  checks.push(pass('owner'));
  if (f.status === 'inactive') return park(checks, fail('contact_active', 'CONTACT_INACTIVE', 'the contact is inactive'));
  checks.push(pass('contact_active'));
  if (!f.account || f.account.status !== 'synced') {
    const detail = !f.hasCompany ? 'the contact has no company' : !f.account ? 'its company is not linked to a CRM account' : `account ${f.account.externalId} is ${f.account.status}${f.account.code ? ` (${f.account.code})` : ''}`;
    return park(checks, fail('company_linked', 'NO_LINKED_COMPANY', detail));
  }
  checks.push(pass('company_linked'));
  if (f.settings.skipB2C) {
    if (isB2C(f.firstName, f.lastName, f.account.name)) return park(checks, fail('b2c', 'B2C_SKIPPED', 'first + last name equals the company name'));
    checks.push(pass('b2c'));
  }
  // A filter on Contact selects CRM contacts by a CRM value a new record would not have.
  if (f.settings.filter?.object === 'Contact') return park(checks, fail('filter', 'FILTERED_OUT', `Contact.${f.settings.filter.field} would be empty`));
  return { outcome: 'create', code: null, checks, accountId: f.account.externalId };
}

export interface CompanyOutboundFacts {
  link: CrmLinkFacts | null;
  crmChangePending: boolean;
}

export function decideCompanyOutbound(f: CompanyOutboundFacts): OutboundDecision {
  const checks: OutboundCheck[] = [];
  if (!f.link || f.link.status === 'deleted_local') return park(checks, fail('crm_match', 'UNASSIGNED_NO_CRM_MATCH', 'not linked to a CRM account (companies have no owner: none is created)'));
  checks.push(pass('crm_match'));
  const blocked = linkState(checks, f.link);
  if (blocked) return blocked;
  if (f.crmChangePending) return park(checks, fail('crm_change', 'CRM_CHANGE_PENDING', `Account ${f.link.externalId} changed in the CRM`));
  checks.push(pass('crm_change'));
  return { outcome: 'update', code: null, checks, target: { object: 'Account', externalId: f.link.externalId } };
}

export interface ActivityOutboundFacts {
  erased: boolean;
  /** The contact's CRM person, as for its contact. */
  contactLink: CrmLinkFacts | null;
}

export function decideActivityOutbound(f: ActivityOutboundFacts): OutboundDecision {
  const checks: OutboundCheck[] = [];
  if (f.erased) return park(checks, fail('erased', 'ERASED'));
  checks.push(pass('erased'));
  const link = f.contactLink;
  if (!link || link.status === 'stopped' || link.status === 'deleted_local') return park(checks, fail('contact_synced', 'CONTACT_NOT_SYNCED', link ? `${link.object} ${link.externalId} is ${link.status}` : 'the contact has no CRM record'));
  const blocked = linkState(checks, link);
  if (blocked) return blocked;
  return { outcome: 'create', code: null, checks, target: { object: link.object, externalId: link.externalId } };
}

/** The Task a pushed activity becomes (no personal data beyond what the CRM already holds of the person). */
export function activityTask(a: { id: string; type: string; occurredAt: Date }, whoId: string, externalIdField: string): Record<string, string | boolean | null> {
  const subjects: Record<string, string> = { email_sent: 'Email sent', email_opened: 'Email opened', replied: 'Email replied', unsubscribed: 'Unsubscribed' };
  return {
    [externalIdField]: activityExternalId(a.id),
    WhoId: whoId,
    Subject: `${subjects[a.type] ?? a.type} (CRM-workflows)`,
    ActivityDate: a.occurredAt.toISOString().slice(0, 10),
    Status: 'Completed',
    TaskSubtype: 'Email',
    Type: 'Email',
  };
}

/** Our id on a pushed Task (the external id field is shared with contacts and companies). */
export const activityExternalId = (activityId: string): string => `activity-${activityId}`;

/** The CRM object a local record is created as. */
export const createdObject = (kind: 'company' | 'contact'): SyncObject => (kind === 'company' ? 'Account' : 'Contact');
