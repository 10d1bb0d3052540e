/**
 * POST /v1/people/resolve: who is this person who just wrote in (a support issue, a form, a reply, an
 * import)? The decision is domain/matching/decide.ts; this service looks its facts up and writes what
 * it says, lazily (the person's activity is what creates them): the contact, and the company when no
 * existing one matches. One transaction under advisory locks on the address and the domains, so two
 * colleagues resolved at once end up in one company. The CRM-account lookup (Salesforce) runs before
 * that transaction: when Salesforce fails the answer is a 503 and nothing was written.
 */
import { recordActivity } from '../../db/activity-log';
import type { Db } from '../../db/database';
import type { Tx } from '../../db/lock-order';
import { requireSetting, type AppConfig } from '../../domain/config';
import { emailDomain, normalizeEmail } from '../../domain/email-address';
import { decideMatch, type MatchDecision, type MatchStep } from '../../domain/matching/decide';
import { isFreeMailDomain } from '../../domain/matching/free-mail';
import type { ResolveOutcome, ResolveSource } from '../../domain/matching/vocabulary';
import { actorLabel, type Actor } from '../actor';
import { assertAddressNotErased, contactsUnderErasure } from '../erasure/erased-subject';
import { conflict, invalidFields } from '../errors';
import { findCrmAccounts, type CrmAccountsFound, type CrmLookupOptions } from './crm-accounts';
import { writeCrmCompanyLink } from './crm-company-link';
import { companiesListing, contactByEmail, crmCandidates, liveCompany, lockMatchKeys } from './match-facts';

export interface ResolveBody {
  email: string;
  firstName?: string | null;
  lastName?: string | null;
  source: ResolveSource;
}

export interface ResolveDeps {
  db: Db;
  config: Pick<AppConfig, 'ERASURE_HASH_SECRET' | 'SECRETS_KEY'>;
  crmLookup?: CrmLookupOptions;
}

export type CreatedThing = 'contact' | 'company' | 'crm_link';

export interface CrmLinkJson {
  connectorId: string;
  object: 'Account';
  externalId: string;
}

export interface ResolvedCompany {
  id: string;
  created: boolean;
  domains: string[];
  /** Domains this resolve added to an existing company (the CRM account's other domains). */
  domainsAdded: string[];
  crmLink: CrmLinkJson | null;
}

export interface ResolveResult {
  outcome: ResolveOutcome;
  contact: { id: string; companyId: string | null; created: boolean };
  company: ResolvedCompany | null;
  created: CreatedThing[];
  steps: MatchStep[];
}

type Decided = Exclude<MatchDecision, { outcome: 'NEEDS_CRM_LOOKUP' }>;

export async function resolvePerson(deps: ResolveDeps, body: ResolveBody, actor: Actor): Promise<ResolveResult> {
  const { db } = deps;
  const email = body.email.trim();
  const domain = emailDomain(email);
  if (!domain) throw invalidFields([{ path: 'body.email', problem: 'must be an email address with a domain' }]);
  await assertAddressNotErased(db, requireSetting(deps.config, 'ERASURE_HASH_SECRET'), email);

  const first = await db.transaction().execute((tx) => attempt(tx, undefined));
  if (first) return first;
  const found = await findCrmAccounts(db, deps.config, domain, deps.crmLookup);
  try {
    return (await db.transaction().execute((tx) => attempt(tx, found)))!;
  } catch (err) {
    // The sync loop linked the same account between our read and our write (sync_records key): once more, now finding its link.
    if ((err as { code?: string }).code !== '23505') throw err;
    return (await db.transaction().execute((tx) => attempt(tx, found)))!;
  }

  /** Decides and writes; undefined when the CRM must be asked first (nothing was written). */
  async function attempt(tx: Tx, crm: CrmAccountsFound | undefined): Promise<ResolveResult | undefined> {
    const freeMail = isFreeMailDomain(domain!);
    const address = normalizeEmail(email);
    await lockMatchKeys(tx, [`email:${address}`, ...(freeMail ? [] : [`domain:${domain}`]), ...(crm?.accounts.flatMap((a) => a.domains.map((d) => `domain:${d}`)) ?? [])]);
    const contact = await contactByEmail(tx, address);
    const domainCompanies = freeMail || contact ? [] : await companiesListing(tx, domain!);
    const candidates = crm && !contact && !freeMail && domainCompanies.length === 0 ? await crmCandidates(tx, crm) : undefined;
    const decision = decideMatch({ domain: domain!, freeMail, contact, domainCompanies, ...(candidates ? { crm: candidates.lookup } : {}) });
    if (decision.outcome === 'NEEDS_CRM_LOOKUP') return undefined;
    return write(tx, decision, candidates?.byKey);
  }

  async function write(tx: Tx, d: Decided, accounts: Awaited<ReturnType<typeof crmCandidates>>['byKey'] | undefined): Promise<ResolveResult> {
    const by = actorLabel(actor);
    const created: CreatedThing[] = [];
    let company: ResolveResult['company'] = null;

    if (d.outcome === 'MATCH_CONTACT') {
      if ((await contactsUnderErasure(tx, [d.contactId])).size > 0) throw conflict('ERASED', `Contact ${d.contactId} was erased (GDPR erasure); it cannot be matched again.`);
      await logResolved(tx, d, d.contactId, d.companyId, created, null);
      return { outcome: d.outcome, contact: { id: d.contactId, companyId: d.companyId, created: false }, company: d.companyId ? await companyJson(tx, d.companyId, false, []) : null, created, steps: d.steps };
    }

    let companyId: string | null = null;
    let crmLink: CrmLinkJson | null = null;
    if (d.outcome === 'MATCH_ACCOUNT_DOMAIN') {
      companyId = d.companyId;
    } else if (d.outcome === 'MATCH_NEW_ACCOUNT') {
      const row = await tx.insertInto('companies').values({ name: domain!, domains: [domain!], external_ids: '{}' }).returning('id').executeTakeFirstOrThrow();
      companyId = row.id;
      created.push('company');
      await recordActivity(tx, { companyId, type: 'company_created', data: { via: 'people_resolve', branch: d.outcome, source: body.source }, actor: by });
    } else if (d.outcome === 'MATCH_CRM_DOMAIN') {
      const { account, decision } = accounts!.get(`${d.account.connectorId}|${d.account.externalId}`)!;
      crmLink = { connectorId: d.account.connectorId, object: 'Account', externalId: d.account.externalId };
      if (d.action === 'use_linked') {
        companyId = d.companyId!;
        company = await companyJson(tx, companyId, false, await addDomains(tx, companyId, d.account.domains), crmLink);
      } else {
        const link = await writeCrmCompanyLink(tx, {
          connectorId: d.account.connectorId, settings: account.connector.settings, snapshot: account.snapshot, decision,
          action: d.action === 'create' ? { kind: 'create' } : { kind: 'link', companyId: d.companyId! }, actor: by,
        });
        companyId = link.companyId;
        if (d.action === 'create') created.push('company');
        created.push('crm_link');
        company = await companyJson(tx, companyId, d.action === 'create', link.domainsAdded, crmLink);
        await queueForTheLoop(tx, d.account.connectorId, d.account.externalId, account.connector.settings.scope === 'all');
      }
    }
    if (companyId) companyId = await shareLive(tx, companyId);

    const contact = await tx
      .insertInto('contacts')
      .values({ email, email_normalized: normalizeEmail(email), first_name: body.firstName ?? null, last_name: body.lastName ?? null, company_id: companyId, external_ids: '{}' })
      .returning('id')
      .executeTakeFirstOrThrow();
    created.unshift('contact');
    await recordActivity(tx, { contactId: contact.id, companyId, type: 'contact_created', data: { via: 'people_resolve', source: body.source }, actor: by });
    await queuePersonForTheLoop(tx, normalizeEmail(email));
    await logResolved(tx, d, contact.id, companyId, created, crmLink);
    if (companyId && !company) company = await companyJson(tx, companyId, created.includes('company'), [], crmLink);
    return { outcome: d.outcome, contact: { id: contact.id, companyId, created: true }, company, created, steps: d.steps };
  }

  async function logResolved(tx: Tx, d: Decided, contactId: string, companyId: string | null, created: CreatedThing[], crmLink: { connectorId: string; externalId: string } | null): Promise<void> {
    await recordActivity(tx, {
      contactId, companyId, type: 'person_resolved', reasonCode: d.outcome,
      data: { source: body.source, branch: d.outcome, created, companyId, ...(crmLink ? { connectorId: crmLink.connectorId, externalId: crmLink.externalId } : {}) },
      actor: actorLabel(actor),
    });
  }
}

/**
 * The chosen company, share-locked so a concurrent company merge cannot make it a tombstone under the
 * new contact; if one already did, its primary.
 */
async function shareLive(tx: Tx, companyId: string): Promise<string> {
  const row = await tx.selectFrom('companies').select(['id', 'merged_into']).where('id', '=', companyId).forShare().executeTakeFirst();
  if (row && !row.merged_into) return row.id;
  const live = await liveCompany(tx, companyId);
  if (!live) throw conflict('COMPANY_MERGED', `Company ${companyId} went away while the person was being resolved; try again.`);
  return shareLive(tx, live);
}

async function companyJson(tx: Tx, id: string, created: boolean, domainsAdded: string[], crmLink: CrmLinkJson | null = null): Promise<ResolvedCompany> {
  const row = await tx.selectFrom('companies').select(['id', 'domains']).where('id', '=', id).executeTakeFirstOrThrow();
  return { id: row.id, created, domains: row.domains, domainsAdded, crmLink };
}

/**
 * Scope `all`: the account's CRM contacts come with its company (the loop re-decides those it skipped
 * with NO_LINKED_COMPANY); `linked_only`: only the people who write in are created (lazy creation).
 */
async function queueForTheLoop(tx: Tx, connectorId: string, accountId: string, scopeAll: boolean): Promise<void> {
  if (!scopeAll) return;
  await tx
    .insertInto('sync_pending')
    .columns(['connector_id', 'object', 'external_id', 'op', 'priority'])
    .expression((eb) =>
      eb.selectFrom('sync_records').select(['connector_id', 'object', 'external_id', eb.val('reeval').as('op'), eb.val(1).as('priority')]).where('connector_id', '=', connectorId).where('object', '=', 'Contact').where('account_external_id', '=', accountId),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/** A linked account's company lacks some of its domains (it was frozen, or edited): they are added. */
async function addDomains(tx: Tx, companyId: string, domains: string[]): Promise<string[]> {
  const row = await tx.selectFrom('companies').select('domains').where('id', '=', companyId).executeTakeFirstOrThrow();
  const missing = domains.filter((d) => !row.domains.includes(d));
  if (missing.length > 0) await tx.updateTable('companies').set({ domains: [...row.domains, ...missing].sort(), updated_at: new Date() }).where('id', '=', companyId).execute();
  return missing;
}

/** The person's own CRM records (same address, any connector) are re-decided: the loop links them to the new contact. */
async function queuePersonForTheLoop(tx: Tx, emailNormalized: string): Promise<void> {
  await tx
    .insertInto('sync_pending')
    .columns(['connector_id', 'object', 'external_id', 'op', 'priority'])
    .expression((eb) =>
      eb.selectFrom('sync_records').select(['connector_id', 'object', 'external_id', eb.val('reeval').as('op'), eb.val(1).as('priority')]).where('object', 'in', ['Contact', 'Lead']).where('email_normalized', '=', emailNormalized).where('snapshot', 'is not', null),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
}
