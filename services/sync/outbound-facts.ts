/**
 * The facts the outbound rules (domain/sync/outbound-rules.ts) need for a batch of queued local
 * records, looked up set-wise: the local values, each record's CRM link, the CRM account of each
 * contact's company, CRM people sharing a contact's email, erased subjects, and CRM changes not applied
 * yet. Read-only: the push and the dry run share it.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database';
import type { LocalValues } from '../../domain/sync/local-plan';
import { decideActivityOutbound, decideCompanyOutbound, decideContactOutbound, type CrmLinkFacts, type OutboundDecision } from '../../domain/sync/outbound-rules';
import type { SyncSettings } from '../../domain/sync/settings';
import type { CrmSnapshot } from '../../domain/sync/snapshot';
import type { OutboundKind, SyncObject, SyncRecordStatus } from '../../domain/sync/vocabulary';
import { erasedContacts } from '../erasure/erased-subject';
import { companyValues, contactValues } from './local-columns';

/** A record's link as the push needs it: where it points, and what the sync last wrote. */
export interface LinkRow extends CrmLinkFacts {
  localId: string;
  snapshot: CrmSnapshot | null;
  applied: LocalValues;
  sources: Record<string, string>;
  crmModstamp: Date | null;
}

export interface LocalRecord {
  kind: OutboundKind;
  localId: string;
  /** Companies and contacts: their values in local-plan terms. */
  values: LocalValues;
  ownerId: string | null;
  companyId: string | null;
  emailNormalized: string | null;
  /** Activities: what happened, to whom, when. */
  activity?: { type: string; contactId: string; occurredAt: Date };
}

export interface DecidedRecord {
  record: LocalRecord;
  decision: OutboundDecision;
  /** The link written by an update (companies and contacts). */
  link: LinkRow | null;
}

const LIVE: readonly SyncRecordStatus[] = ['synced', 'frozen', 'review'];
const rank = (s: SyncRecordStatus) => (LIVE.includes(s) ? 0 : 1);

/** The local records behind queue entries (those gone since are simply absent). */
export async function loadLocalRecords(db: Db, kind: OutboundKind, ids: string[]): Promise<Map<string, LocalRecord>> {
  const out = new Map<string, LocalRecord>();
  if (ids.length === 0) return out;
  if (kind === 'contact') {
    const rows = await db
      .selectFrom('contacts')
      .select(['id', 'email', 'email_normalized', 'first_name', 'last_name', 'company_id', 'consent', 'status', 'address', 'custom_fields', 'owner_id', 'merged_into'])
      .where(sql<boolean>`id = any(${ids}::uuid[])`)
      .execute();
    for (const r of rows) if (!r.merged_into) out.set(r.id, { kind, localId: r.id, values: contactValues(r), ownerId: r.owner_id, companyId: r.company_id, emailNormalized: r.email_normalized });
  } else if (kind === 'company') {
    const rows = await db.selectFrom('companies').select(['id', 'name', 'domains', 'type', 'address', 'custom_fields']).where(sql<boolean>`id = any(${ids}::uuid[])`).execute();
    for (const r of rows) out.set(r.id, { kind, localId: r.id, values: companyValues(r), ownerId: null, companyId: r.id, emailNormalized: null });
  } else {
    const rows = await db
      .selectFrom('activities as a')
      .innerJoin('contacts as c', 'c.id', 'a.contact_id')
      .select(['a.id', 'a.type', 'a.contact_id', 'a.occurred_at', 'c.email_normalized', 'c.owner_id'])
      .where(sql<boolean>`a.id = any(${ids.filter((i) => /^\d+$/.test(i))}::bigint[])`)
      .execute();
    for (const r of rows) out.set(String(r.id), { kind, localId: String(r.id), values: {}, ownerId: r.owner_id, companyId: null, emailNormalized: r.email_normalized, activity: { type: r.type, contactId: r.contact_id!, occurredAt: r.occurred_at } });
  }
  return out;
}

/** Each local record's CRM link (a live one first, else the latest stopped one). */
export async function linksOf(db: Db, connectorId: string, kind: 'company' | 'contact', localIds: string[]): Promise<Map<string, LinkRow>> {
  const out = new Map<string, LinkRow>();
  if (localIds.length === 0) return out;
  const rows = await db
    .selectFrom('sync_records')
    .select(['object', 'external_id', 'local_id', 'status', 'code', 'snapshot', 'applied', 'field_sources', 'crm_modstamp', 'updated_at'])
    .where('connector_id', '=', connectorId)
    .where('local_kind', '=', kind)
    .where(sql<boolean>`local_id = any(${localIds}::uuid[])`)
    .orderBy('updated_at', 'desc')
    .execute();
  for (const r of rows) {
    const current = out.get(r.local_id!);
    // A contact linked to a Contact and a Lead: the Contact syncs (as inbound), then the newest.
    const better = !current || rank(r.status) < rank(current.status) || (rank(r.status) === rank(current.status) && current.object === 'Lead' && r.object === 'Contact');
    if (better) {
      out.set(r.local_id!, {
        object: r.object,
        externalId: r.external_id,
        status: r.status,
        code: r.code,
        localId: r.local_id!,
        snapshot: r.snapshot as CrmSnapshot | null,
        applied: r.applied as LocalValues,
        sources: r.field_sources,
        crmModstamp: r.crm_modstamp,
      });
    }
  }
  return out;
}

/** CRM records of these objects with a change feed entry not applied yet. */
export async function pendingCrmChanges(db: Db, connectorId: string, externalIds: string[]): Promise<Set<string>> {
  if (externalIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('sync_pending')
    .select('external_id')
    .where('connector_id', '=', connectorId)
    .where('op', 'in', ['upsert', 'delete'])
    .where(sql<boolean>`external_id = any(${externalIds}::text[])`)
    .execute();
  return new Set(rows.map((r) => r.external_id));
}

export interface PersonMatch extends CrmLinkFacts {
  email: string;
  linkedLocalId: string | null;
  snapshot: CrmSnapshot | null;
}

/** CRM people (Contact, Lead) of the connector with these emails that the CRM still has. */
export async function crmPeopleByEmail(db: Db, connectorId: string, emails: string[]): Promise<Map<string, PersonMatch[]>> {
  const out = new Map<string, PersonMatch[]>();
  if (emails.length === 0) return out;
  const rows = await db
    .selectFrom('sync_records')
    .select(['object', 'external_id', 'status', 'code', 'local_id', 'email_normalized', 'snapshot'])
    .where('connector_id', '=', connectorId)
    .where('object', 'in', ['Contact', 'Lead'])
    .where('status', '!=', 'stopped')
    .where(sql<boolean>`email_normalized = any(${emails}::text[])`)
    .orderBy('external_id')
    .execute();
  for (const r of rows) {
    const m: PersonMatch = { object: r.object, externalId: r.external_id, status: r.status, code: r.code, email: r.email_normalized!, linkedLocalId: r.status === 'deleted_local' ? null : r.local_id, snapshot: r.snapshot as CrmSnapshot | null };
    out.set(m.email, [...(out.get(m.email) ?? []), m]);
  }
  return out;
}

/** CRM accounts linked to these local companies. */
async function accountsOf(db: Db, connectorId: string, companyIds: string[]): Promise<Map<string, CrmLinkFacts & { name: string | null }>> {
  const links = await linksOf(db, connectorId, 'company', companyIds);
  return new Map([...links].filter(([, l]) => l.object === 'Account').map(([id, l]) => [id, { object: l.object, externalId: l.externalId, status: l.status, code: l.code, name: typeof l.snapshot?.Name === 'string' ? l.snapshot.Name : null }]));
}

export interface DecideContext {
  connectorId: string;
  settings: SyncSettings;
  erasureSecret: string;
}

/** Decides every record of one kind with the outbound rules, from fresh facts. */
export async function decideBatch(db: Db, ctx: DecideContext, kind: OutboundKind, records: LocalRecord[]): Promise<DecidedRecord[]> {
  const C = ctx.connectorId;
  if (kind === 'company') {
    const links = await linksOf(db, C, 'company', records.map((r) => r.localId));
    const pending = await pendingCrmChanges(db, C, [...links.values()].map((l) => l.externalId));
    return records.map((record) => {
      const link = links.get(record.localId)?.object === 'Account' ? links.get(record.localId)! : null;
      return { record, link, decision: decideCompanyOutbound({ link, crmChangePending: link ? pending.has(link.externalId) : false }) };
    });
  }

  const contactIds = [...new Set(records.map((r) => (kind === 'activity' ? r.activity!.contactId : r.localId)))];
  const contactRows = kind === 'activity' ? await loadLocalRecords(db, 'contact', contactIds) : new Map(records.map((r) => [r.localId, r]));
  const [links, erased] = await Promise.all([
    linksOf(db, C, 'contact', contactIds),
    erasedContacts(db, ctx.erasureSecret, contactIds.map((id) => ({ id, email_normalized: contactRows.get(id)?.emailNormalized ?? null }))),
  ]);
  // Contact links point at Contact or Lead records only.
  for (const [id, l] of links) if (l.object === 'Account') links.delete(id);

  if (kind === 'activity') {
    return records.map((record) => {
      const contactId = record.activity!.contactId;
      const link = links.get(contactId) ?? null;
      return { record, link, decision: decideActivityOutbound({ erased: erased.has(contactId) || !contactRows.has(contactId), contactLink: link }) };
    });
  }

  const companies = [...new Set(records.flatMap((r) => (r.companyId ? [r.companyId] : [])))];
  const emails = [...new Set(records.flatMap((r) => (r.emailNormalized && !links.has(r.localId) ? [r.emailNormalized] : [])))];
  const [accounts, people, pending] = await Promise.all([
    accountsOf(db, C, companies),
    crmPeopleByEmail(db, C, emails),
    pendingCrmChanges(db, C, [...links.values()].map((l) => l.externalId)),
  ]);
  return records.map((record) => {
    const link = links.get(record.localId) ?? null;
    const sameEmail = record.emailNormalized && !link ? (people.get(record.emailNormalized) ?? []) : [];
    const v = record.values;
    const decision = decideContactOutbound({
      settings: ctx.settings,
      email: typeof v.email === 'string' ? v.email : null,
      firstName: typeof v.firstName === 'string' ? v.firstName : null,
      lastName: typeof v.lastName === 'string' ? v.lastName : null,
      ownerId: record.ownerId,
      status: typeof v.status === 'string' ? v.status : 'active',
      erased: erased.has(record.localId),
      link,
      crmChangePending: link ? pending.has(link.externalId) : false,
      crmMatches: sameEmail.filter((m) => m.linkedLocalId === null),
      matchesLinkedElsewhere: sameEmail.filter((m) => m.linkedLocalId !== null && m.linkedLocalId !== record.localId).length,
      account: record.companyId ? (accounts.get(record.companyId) ?? null) : null,
      hasCompany: record.companyId !== null,
    });
    return { record, link, decision };
  });
}

/** The CRM account ids of local companies (for AccountId on contacts). */
export async function accountIdsOf(db: Db, connectorId: string, companyIds: string[]): Promise<Map<string, string>> {
  const accounts = await accountsOf(db, connectorId, companyIds);
  return new Map([...accounts].filter(([, a]) => a.status === 'synced' || a.status === 'frozen').map(([id, a]) => [id, a.externalId]));
}

export type { SyncObject };
