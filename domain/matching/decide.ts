/**
 * Which branch matches an inbound person (RULES.md "CRM sync", account matching), in Pylon's order
 * and explained: existing contact by email → a company listing the email's domain → a CRM account
 * whose domains include it → a new unlinked company. Free-mail domains never match or create a
 * company. Pure: the resolve service looks the facts up (under its locks) and writes what this says,
 * and the answer lists every branch tried with its result, so "what it did" and "why" agree.
 * Details hold ids, codes and the domain (an organisation's, never a free-mail one) only.
 */
import type { ReasonCode } from '../reason-codes';
import type { SyncDecision } from '../sync/rules';
import type { MatchBranch, MatchStepResult, ResolveOutcome } from './vocabulary';

export interface MatchStep {
  branch: MatchBranch;
  result: MatchStepResult;
  code?: ReasonCode;
  detail?: string;
}

/** A CRM account (of one connector) listing the domain, with what the sync rules say of it. */
export interface CrmAccountCandidate {
  connectorId: string;
  externalId: string;
  /** All the account's email domains (website host and domains field). */
  domains: string[];
  /** decideInbound for the account, as if created on activity (scope aside). */
  decision: Pick<SyncDecision, 'outcome' | 'code'>;
  /** The live local company the account is linked to, if any. */
  linkedCompanyId: string | null;
  /** Live local companies holding one of the account's domains, not linked to another account of the connector (oldest first). */
  companiesSharingDomains: string[];
}

export type CrmLookup = { kind: 'no_connector' } | { kind: 'searched'; connectors: number; candidates: CrmAccountCandidate[] };

export interface MatchFacts {
  domain: string;
  freeMail: boolean;
  /** The oldest live contact with the address, if any. */
  contact: { id: string; companyId: string | null } | null;
  /** Live companies listing the domain, oldest first. */
  domainCompanies: string[];
  /** Undefined: not looked up yet (the CRM call happens outside the transaction). */
  crm?: CrmLookup;
}

/** use_linked: the account's company exists; link_existing: a company holding another of its domains is linked to it; create: a new company. */
export type CrmAction = 'use_linked' | 'link_existing' | 'create';

export type MatchDecision =
  | { outcome: 'MATCH_CONTACT'; contactId: string; companyId: string | null; steps: MatchStep[] }
  | { outcome: 'FREE_MAIL_DOMAIN'; steps: MatchStep[] }
  | { outcome: 'MATCH_ACCOUNT_DOMAIN'; companyId: string; otherCompanies: string[]; steps: MatchStep[] }
  | { outcome: 'MATCH_CRM_DOMAIN'; action: CrmAction; account: CrmAccountCandidate; companyId: string | null; steps: MatchStep[] }
  | { outcome: 'MATCH_NEW_ACCOUNT'; steps: MatchStep[] }
  | { outcome: 'NEEDS_CRM_LOOKUP'; steps: MatchStep[] };

/** Outcomes of the sync rules under which the account has (or may get) a local company. */
const USABLE = new Set<SyncDecision['outcome']>(['create', 'update', 'freeze']);

export function decideMatch(f: MatchFacts): MatchDecision {
  const steps: MatchStep[] = [];
  if (f.contact) {
    steps.push({ branch: 'MATCH_CONTACT', result: 'matched', code: 'MATCH_CONTACT', detail: `contact ${f.contact.id}` });
    return { outcome: 'MATCH_CONTACT', contactId: f.contact.id, companyId: f.contact.companyId, steps };
  }
  steps.push({ branch: 'MATCH_CONTACT', result: 'no_match', detail: 'no contact has this address' });

  if (f.freeMail) {
    const why = `${f.domain} is a free-mail provider`;
    for (const branch of ['MATCH_ACCOUNT_DOMAIN', 'MATCH_CRM_DOMAIN', 'MATCH_NEW_ACCOUNT'] as const) steps.push({ branch, result: 'skipped', code: 'FREE_MAIL_DOMAIN', detail: why });
    return { outcome: 'FREE_MAIL_DOMAIN', steps };
  }

  const [company, ...others] = f.domainCompanies;
  if (company) {
    const also = others.length > 0 ? `; also listed by ${others.join(', ')} (GET /v1/companies/duplicates)` : '';
    steps.push({ branch: 'MATCH_ACCOUNT_DOMAIN', result: 'matched', code: 'MATCH_ACCOUNT_DOMAIN', detail: `company ${company} lists ${f.domain}${also}` });
    return { outcome: 'MATCH_ACCOUNT_DOMAIN', companyId: company, otherCompanies: others, steps };
  }
  steps.push({ branch: 'MATCH_ACCOUNT_DOMAIN', result: 'no_match', detail: `no company lists ${f.domain}` });

  if (!f.crm) return { outcome: 'NEEDS_CRM_LOOKUP', steps };
  if (f.crm.kind === 'no_connector') {
    steps.push({ branch: 'MATCH_CRM_DOMAIN', result: 'skipped', code: 'NO_CRM_CONNECTOR', detail: 'no CRM connector syncs Accounts' });
  } else {
    const pick = pickAccount(f.crm.candidates);
    if (pick) {
      const { account, action, companyId } = pick;
      const what = action === 'use_linked' ? `its company ${companyId}` : action === 'link_existing' ? `company ${companyId} (holds another of its domains), now linked` : 'a new company with all its domains, linked';
      steps.push({ branch: 'MATCH_CRM_DOMAIN', result: 'matched', code: 'MATCH_CRM_DOMAIN', detail: `account ${account.externalId} of connector ${account.connectorId} lists ${f.domain}: ${what}` });
      return { outcome: 'MATCH_CRM_DOMAIN', action, account, companyId, steps };
    }
    const refused = f.crm.candidates.filter((c) => !USABLE.has(c.decision.outcome));
    if (refused.length > 0) {
      const first = refused[0]!;
      steps.push({ branch: 'MATCH_CRM_DOMAIN', result: 'no_match', ...(first.decision.code ? { code: first.decision.code } : {}), detail: refused.map((c) => `account ${c.externalId} does not sync (${c.decision.code ?? c.decision.outcome})`).join('; ') });
    } else {
      steps.push({ branch: 'MATCH_CRM_DOMAIN', result: 'no_match', detail: `no CRM account lists ${f.domain} (${f.crm.connectors} connector${f.crm.connectors === 1 ? '' : 's'} searched)` });
    }
  }
  steps.push({ branch: 'MATCH_NEW_ACCOUNT', result: 'matched', code: 'MATCH_NEW_ACCOUNT', detail: `a new company with ${f.domain}, not linked to a CRM account` });
  return { outcome: 'MATCH_NEW_ACCOUNT', steps };
}

/**
 * Of the accounts that may have a local company: one already linked first, then one whose domains a
 * local company already holds (linking it avoids Pylon's second company), then the first found.
 */
function pickAccount(candidates: CrmAccountCandidate[]): { account: CrmAccountCandidate; action: CrmAction; companyId: string | null } | undefined {
  const usable = candidates.filter((c) => USABLE.has(c.decision.outcome) && (c.decision.outcome === 'create' || c.linkedCompanyId !== null));
  const linked = usable.find((c) => c.linkedCompanyId !== null);
  if (linked) return { account: linked, action: 'use_linked', companyId: linked.linkedCompanyId };
  const sharing = usable.find((c) => c.companiesSharingDomains.length > 0);
  if (sharing) return { account: sharing, action: 'link_existing', companyId: sharing.companiesSharingDomains[0]! };
  const first = usable[0];
  return first ? { account: first, action: 'create', companyId: null } : undefined;
}

/** The code the answer and the activity log name. */
export const outcomeCode = (d: Exclude<MatchDecision, { outcome: 'NEEDS_CRM_LOOKUP' }>): ResolveOutcome => d.outcome;
