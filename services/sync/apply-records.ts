/**
 * Applies a batch of inbound CRM records of one object inside the caller's transaction: looks up the
 * facts the rules need (links, the account, other records with the same email, local matches, erased
 * subjects), decides each record with the pure rules (domain/sync/rules.ts), writes the local
 * companies / contacts, the link map and per-record state (sync_records), earlier versions, review
 * items and activity-log entries, and queues re-evaluations of records whose facts changed (contacts
 * of an account, other holders of an email). A CRM change that blocks email ends live enrollments
 * through the contact lifecycle; the caller signals them after commit.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { PoolClient } from 'pg';
import type { Tx } from '../../db/lock-order';
import type { ReasonCode } from '../../domain/reason-codes';
import { planLocalWrite, type FieldSource, type LocalPlan, type LocalValues } from '../../domain/sync/local-plan';
import { decideInbound, matchEmail, type AccountFacts, type LocalCandidate, type SyncDecision } from '../../domain/sync/rules';
import type { SyncSettings } from '../../domain/sync/settings';
import { compactChecks } from '../../domain/sync/stored-checks';
import { accountDomains, text, type CrmSnapshot } from '../../domain/sync/snapshot';
import type { SyncObject, SyncRecordStatus } from '../../domain/sync/vocabulary';
import { endLiveEnrollmentsOfContact } from '../contacts/lifecycle';
import { erasedAddressesOfBatch } from '../erasure/erased-subject';
import { copyActivities, copyContacts, copyNewRecords } from './load-copy';
import { columnsOf, companyValues, contactValues } from './local-columns';

export interface ApplyContext {
  connectorId: string;
  settings: SyncSettings;
  cycleId: string;
  /** Activity-log actor, e.g. `workflow:crm-sync-<connectorId>`. */
  actor: string;
  erasureSecret: string;
  /** Decide only: nothing is written, each decision goes to the collector (POST /v1/connectors/:id/dry-run). */
  dryRun?: DryRunCollector;
  /**
   * The caller knows no record of the batch is stored yet (a first load of a person object: the table
   * held none of them when it began, and a Bulk job lists each id once), so their state is not looked up.
   */
  allNew?: boolean;
  /** The transaction's own connection (a full load's page): new rows go in with COPY (load-copy.ts). */
  copy?: PoolClient;
}

/** What a dry run learns of each record; the accounts it decided stand in for the stored ones when their contacts are decided. */
export interface DryRunCollector {
  record(d: DryRunDecision): void;
  accounts: Map<string, { status: SyncRecordStatus; localCompanyId: string | null }>;
}

export interface DryRunDecision {
  object: SyncObject;
  externalId: string;
  before: { status: SyncRecordStatus; code: string | null } | null;
  outcome: SyncDecision['outcome'];
  status: SyncRecordStatus;
  code: string | null;
  /** Local fields the apply would write. */
  changedFields: string[];
}

export interface IncomingRecord {
  /** The record as read; for a CRM delete, the last snapshot with IsDeleted (and MasterRecordId) set. */
  snapshot: CrmSnapshot;
  /** Read from the CRM in this cycle; false when re-decided from the stored snapshot. */
  fromCrm: boolean;
}

export interface ApplyResult {
  /** Records whose local side was created, linked, updated or deleted. */
  applied: number;
  /** Records that did not sync (skipped, frozen, stopped, review), by their code. */
  skipped: number;
  codes: Record<string, number>;
  /** Enrollments ended by CRM changes, to signal after commit. */
  ended: Array<{ ids: string[]; reason: ReasonCode }>;
}

interface ExistingRecord {
  external_id: string;
  local_id: string | null;
  status: SyncRecordStatus;
  code: string | null;
  decision: Record<string, unknown>;
  snapshot: Record<string, unknown> | null;
  applied: Record<string, unknown>;
  field_sources: Record<string, string>;
  email_normalized: string | null;
  crm_modstamp: Date | null;
}

interface LocalRow {
  id: string;
  values: LocalValues;
  companyId?: string | null;
  ownerId?: string | null;
}

interface RecordWrite {
  external_id: string;
  local_kind: 'company' | 'contact' | null;
  local_id: string | null;
  status: SyncRecordStatus;
  code: string | null;
  decision: Record<string, unknown>;
  snapshot: CrmSnapshot;
  applied: LocalValues;
  field_sources: Record<string, FieldSource | string>;
  email_normalized: string | null;
  account_external_id: string | null;
  master_external_id: string | null;
  crm_modstamp: string | null;
  seen: boolean;
}

const isPerson = (o: SyncObject) => o !== 'Account';
const LIVE_LINK = ['synced', 'frozen', 'review'] as const;
const nameKey = (first: string | null, last: string | null) => `${first ?? ''} ${last ?? ''}`.trim().toLowerCase();

function statusOf(d: SyncDecision): SyncRecordStatus {
  switch (d.outcome) {
    case 'create':
    case 'link':
    case 'update':
      return 'synced';
    case 'freeze':
      return 'frozen';
    case 'stop':
      return 'stopped';
    case 'review':
      return 'review';
    case 'delete_local':
      return 'deleted_local';
    default:
      return 'skipped';
  }
}

/** Codes that end live enrollments when a CRM change writes them on a contact. */
function blockingCode(set: LocalValues, before: LocalValues): ReasonCode | null {
  if (set.consent === 'opted_out' && before.consent !== 'opted_out') return 'CONSENT_OPTED_OUT';
  if (set.status === 'bounced' && before.status !== 'bounced') return 'CONTACT_BOUNCED';
  if (set.status === 'inactive' && before.status !== 'inactive') return 'CONTACT_INACTIVE';
  return null;
}

export async function applyRecords(tx: Tx, ctx: ApplyContext, object: SyncObject, incoming: IncomingRecord[]): Promise<ApplyResult> {
  const result: ApplyResult = { applied: 0, skipped: 0, codes: {}, ended: [] };
  // One entry per external id (the last read wins).
  const byId = new Map<string, IncomingRecord>();
  for (const r of incoming) byId.set(r.snapshot.Id, r);
  if (byId.size === 0) return result;
  const ids = [...byId.keys()];
  const C = ctx.connectorId;
  const kind: 'company' | 'contact' = object === 'Account' ? 'company' : 'contact';
  // This connector's own local writes are not queued back to it (the outbound triggers read this).
  if (!ctx.dryRun) await sql`select set_config('crm_workflows.sync_origin', ${C}, true)`.execute(tx);

  const existingRows: ExistingRecord[] = ctx.allNew ? [] : ((await tx
    .selectFrom('sync_records')
    .select(['external_id', 'local_id', 'status', 'code', 'decision', 'snapshot', 'applied', 'field_sources', 'email_normalized', 'crm_modstamp'])
    .where('connector_id', '=', C)
    .where('object', '=', object)
    .where(sql<boolean>`external_id = any(${ids}::text[])`)
    .orderBy('external_id')
    .$if(!ctx.dryRun, (qb) => qb.forUpdate())
    .execute()) as ExistingRecord[]);
  const existing = new Map(existingRows.map((r) => [r.external_id, r]));

  // An older read never overwrites a newer one (a retried page after a crash, a reeval racing a read).
  for (const [id, r] of byId) {
    const known = existing.get(id)?.crm_modstamp;
    const stamp = text(r.snapshot, 'SystemModstamp');
    if (r.fromCrm && known && stamp && new Date(stamp).getTime() < known.getTime()) byId.delete(id);
  }
  // A link erasure stopped is final: whatever the CRM says of the record later (a delete, an undelete,
  // an edit), nothing of it is stored again and it stays ERASED.
  for (const id of [...byId.keys()]) {
    const prev = existing.get(id);
    if (prev?.status === 'stopped' && prev.code === 'ERASED') {
      byId.delete(id);
      result.skipped++;
      result.codes.ERASED = (result.codes.ERASED ?? 0) + 1;
    }
  }

  // Local rows behind existing links (a merged contact is followed to its primary).
  const linkedIds = [...new Set(existingRows.flatMap((r) => (r.local_id ? [r.local_id] : [])))];
  const locals = new Map<string, LocalRow>();
  const redirect = new Map<string, string>();
  const loadContacts = async (contactIds: string[]) => {
    if (contactIds.length === 0) return;
    const rows = await tx
      .selectFrom('contacts')
      .select(['id', 'email', 'first_name', 'last_name', 'company_id', 'consent', 'status', 'address', 'custom_fields', 'owner_id', 'merged_into'])
      .where(sql<boolean>`id = any(${contactIds}::uuid[])`)
      .execute();
    const primaries: string[] = [];
    for (const r of rows) {
      if (r.merged_into) {
        redirect.set(r.id, r.merged_into);
        primaries.push(r.merged_into);
      } else locals.set(r.id, { id: r.id, values: contactValues(r), companyId: r.company_id, ownerId: r.owner_id });
    }
    if (primaries.length > 0) await loadContacts(primaries.filter((p) => !locals.has(p)));
  };
  if (kind === 'contact') await loadContacts(linkedIds);
  else if (linkedIds.length > 0) {
    const rows = await tx.selectFrom('companies').select(['id', 'name', 'domains', 'type', 'address', 'custom_fields']).where(sql<boolean>`id = any(${linkedIds}::uuid[])`).execute();
    for (const r of rows) locals.set(r.id, { id: r.id, values: companyValues(r) });
  }
  const resolveLocal = (id: string | null): string | null => {
    let cur = id;
    for (let i = 0; cur && i < 5 && redirect.has(cur); i++) cur = redirect.get(cur)!;
    return cur && locals.has(cur) ? cur : null;
  };

  // Contacts: their accounts as synced.
  const accounts = new Map<string, AccountFacts>();
  if (object === 'Contact') {
    const accountIds = [...new Set([...byId.values()].flatMap((r) => (text(r.snapshot, 'AccountId') ? [text(r.snapshot, 'AccountId')!] : [])))];
    if (accountIds.length > 0) {
      const rows = await tx
        .selectFrom('sync_records as r')
        .leftJoin('companies as c', 'c.id', 'r.local_id')
        .select(['r.external_id', 'r.snapshot', 'r.status', 'c.id as company_id'])
        .where('r.connector_id', '=', C)
        .where('r.object', '=', 'Account')
        .where(sql<boolean>`r.external_id = any(${accountIds}::text[])`)
        .execute();
      for (const r of rows) accounts.set(r.external_id, { snapshot: r.snapshot as CrmSnapshot | null, status: r.status, localCompanyId: r.status === 'synced' || r.status === 'frozen' ? r.company_id : null });
      for (const [ext, a] of ctx.dryRun?.accounts ?? []) {
        const known = accounts.get(ext);
        if (known) accounts.set(ext, { ...known, ...a });
      }
    }
  }

  // People: who else has each email, locally and in the CRM.
  const emailOf = new Map<string, string>();
  for (const [id, r] of byId) {
    const email = isPerson(object) && r.snapshot.IsDeleted !== true ? matchEmail(r.snapshot) : null;
    if (email) emailOf.set(id, email);
  }
  const emails = [...new Set(emailOf.values())];
  const emailsLookedUp = new Set(emails);
  const sameObjectByEmail = new Map<string, string[]>();
  const contactEmails = new Set<string>();
  // Every other person record holding one of the batch's emails (either object, any status): the facts
  // above, and later the records to re-evaluate when this batch changes who holds an email.
  const holdersByEmail = new Map<string, Array<{ object: string; external_id: string }>>();
  const localByEmail = new Map<string, string[]>();
  const linkedTo = new Map<string, string[]>();
  let erased = new Set<string>();
  if (emails.length > 0) {
    const [holders, localContacts, erasedSet] = await Promise.all([
      tx
        .selectFrom('sync_records')
        .select(['object', 'external_id', 'email_normalized', 'status'])
        .where('connector_id', '=', C)
        .where('object', 'in', ['Contact', 'Lead'])
        .where(sql<boolean>`email_normalized = any(${emails}::text[])`)
        .where(sql<boolean>`not (object = ${object} and external_id = any(${ids}::text[]))`)
        .orderBy('external_id')
        .execute(),
      tx
        .selectFrom('contacts')
        .select(['id', 'email', 'email_normalized', 'first_name', 'last_name', 'company_id', 'consent', 'status', 'address', 'custom_fields', 'owner_id'])
        .where(sql<boolean>`email_normalized = any(${emails}::text[])`)
        .where('merged_into', 'is', null)
        .orderBy('created_at')
        .orderBy('id')
        .execute(),
      erasedAddressesOfBatch(tx, ctx.erasureSecret, emails),
    ]);
    erased = erasedSet;
    for (const h of holders) {
      const email = h.email_normalized!;
      holdersByEmail.set(email, [...(holdersByEmail.get(email) ?? []), h]);
      if (h.status === 'stopped') continue;
      if (h.object === object) sameObjectByEmail.set(email, [...(sameObjectByEmail.get(email) ?? []), h.external_id]);
      else if (h.object === 'Contact') contactEmails.add(email);
    }
    for (const c of localContacts) {
      localByEmail.set(c.email_normalized!, [...(localByEmail.get(c.email_normalized!) ?? []), c.id]);
      if (!locals.has(c.id)) locals.set(c.id, { id: c.id, values: contactValues(c), companyId: c.company_id, ownerId: c.owner_id });
    }
    const candidateIds = localContacts.map((c) => c.id);
    if (candidateIds.length > 0) {
      const links = await tx
        .selectFrom('sync_records')
        .select(['local_id', 'external_id'])
        .where('connector_id', '=', C)
        .where('object', '=', object)
        .where('status', 'in', LIVE_LINK)
        .where(sql<boolean>`local_id = any(${candidateIds}::uuid[])`)
        .execute();
      for (const l of links) linkedTo.set(l.local_id!, [...(linkedTo.get(l.local_id!) ?? []), l.external_id]);
    }
  }
  // The batch itself holds emails too.
  for (const [id, email] of emailOf) sameObjectByEmail.set(email, [...(sameObjectByEmail.get(email) ?? []), id]);

  // Lookalikes: candidates for POSSIBLE_DUPLICATE (only for records that would be created).
  const lookalikesOf = new Map<string, string[]>();
  if (ctx.settings.detectDuplicatesOnCreate) await findLookalikes();

  const writes: RecordWrite[] = [];
  const inserts: Array<{ id: string; columns: Record<string, unknown> }> = [];
  const updates: Array<{ id: string; columns: Record<string, unknown>; before: LocalValues; set: LocalValues }> = [];
  const activities: Array<{ contact_id: string | null; company_id: string | null; type: string; reason_code: string | null; data: Record<string, unknown> }> = [];
  const reviews: Array<{ external_id: string; candidates: string[] }> = [];
  const deletions: string[] = [];
  const claimed = new Set<string>();
  const reevalAccounts: string[] = [];
  const reevalEmails = new Set<string>();

  for (const [id, r] of byId) {
    const prev = existing.get(id);
    const s = r.snapshot;
    const linkedLocal = prev && prev.status !== 'deleted_local' ? resolveLocal(prev.local_id) : null;
    const email = emailOf.get(id) ?? null;
    const accountId = object === 'Contact' ? text(s, 'AccountId') : null;
    const account = accountId ? (accounts.get(accountId) ?? { snapshot: null, status: null, localCompanyId: null }) : null;
    const emailMatches: LocalCandidate[] = email
      ? (localByEmail.get(email) ?? []).map((cid) => ({ id: cid, linkedElsewhere: claimed.has(cid) || (linkedTo.get(cid) ?? []).some((ext) => ext !== id) }))
      : [];
    const decision = decideInbound({
      object,
      snapshot: s,
      settings: ctx.settings,
      linkedLocalId: linkedLocal,
      account,
      erased: email !== null && erased.has(email),
      sameEmailSameObject: email ? (sameObjectByEmail.get(email) ?? []).filter((x) => x !== id) : [],
      contactHasEmail: email !== null && contactEmails.has(email),
      emailMatches,
      lookalikes: lookalikesOf.get(id) ?? [],
    });

    let localId: string | null = linkedLocal;
    let applied: LocalValues = (prev?.applied as LocalValues | undefined) ?? {};
    let sources: Record<string, string> = prev?.field_sources ?? {};
    let plan: LocalPlan | undefined;
    const companyId = account?.localCompanyId ?? null;

    if (decision.outcome === 'create') {
      localId = randomUUID();
      plan = planLocalWrite({ object, snapshot: s, settings: ctx.settings, current: {}, applied: {}, sources: {}, companyId, creating: true });
      inserts.push({ id: localId, columns: columnsOf(kind, plan.set, {}) });
      activities.push({ ...subject(kind, localId, kind === 'contact' ? companyId : localId), type: 'crm_sync_created', reason_code: null, data: { connectorId: C, object, externalId: id } });
    } else if (decision.outcome === 'link' || decision.outcome === 'update') {
      localId = decision.outcome === 'link' ? decision.linkTo! : linkedLocal!;
      const local = locals.get(localId)!;
      plan = planLocalWrite({
        object,
        snapshot: s,
        settings: ctx.settings,
        current: local.values,
        applied: decision.outcome === 'link' ? {} : applied,
        sources: decision.outcome === 'link' ? {} : (sources as Record<string, FieldSource>),
        companyId,
        creating: false,
      });
      if (Object.keys(plan.set).length > 0) updates.push({ id: localId, columns: columnsOf(kind, plan.set, customOf(local.values)), before: local.values, set: plan.set });
      const changedFields = Object.keys(plan.set);
      if (decision.outcome === 'link') activities.push({ ...subject(kind, localId, kind === 'contact' ? (local.companyId ?? null) : localId), type: 'crm_sync_linked', reason_code: null, data: { connectorId: C, object, externalId: id, fields: changedFields } });
      else if (changedFields.length > 0 || plan.conflicts.length > 0 || prev?.status !== 'synced') {
        activities.push({ ...subject(kind, localId, kind === 'contact' ? (local.companyId ?? null) : localId), type: 'crm_sync_updated', reason_code: plan.conflicts[0]?.code ?? null, data: { connectorId: C, object, externalId: id, fields: changedFields, conflicts: plan.conflicts } });
      }
    } else if (decision.outcome === 'freeze' && localId) {
      const local = locals.get(localId);
      if (decision.markInactive && local && local.values.status !== 'inactive') {
        updates.push({ id: localId, columns: { status: 'inactive' }, before: local.values, set: { status: 'inactive' } });
        applied = { ...applied, status: 'inactive' };
        sources = { ...sources, status: 'crm' };
      }
      if (prev?.status !== 'frozen' || prev.code !== decision.code) activities.push({ ...subject(kind, localId, kind === 'contact' ? (local?.companyId ?? null) : localId), type: 'crm_sync_frozen', reason_code: decision.code, data: { connectorId: C, object, externalId: id } });
    } else if (decision.outcome === 'stop') {
      if (linkedLocal && prev?.status !== 'stopped') {
        activities.push({ ...subject(kind, linkedLocal, kind === 'contact' ? (locals.get(linkedLocal)?.companyId ?? null) : linkedLocal), type: 'crm_sync_stopped', reason_code: decision.code, data: { connectorId: C, object, externalId: id, ...(decision.masterId ? { masterRecordId: decision.masterId } : {}) } });
      }
      localId = linkedLocal ?? prev?.local_id ?? null;
    } else if (decision.outcome === 'review') {
      reviews.push({ external_id: id, candidates: decision.candidates ?? [] });
    } else if (decision.outcome === 'delete_local' && linkedLocal) {
      deletions.push(linkedLocal);
      activities.push({ ...subject(kind, linkedLocal, locals.get(linkedLocal)?.companyId ?? null), type: 'crm_sync_deleted_inactive', reason_code: 'DELETED_INACTIVE', data: { connectorId: C, object, externalId: id } });
    }
    if (localId && (decision.outcome === 'create' || decision.outcome === 'link' || decision.outcome === 'update')) claimed.add(localId);
    if (plan) {
      applied = plan.applied;
      sources = plan.sources;
    }

    const status = statusOf(decision);
    const stored: Record<string, unknown> = { outcome: decision.outcome, code: decision.code, checks: compactChecks(decision.checks), conflicts: plan?.conflicts ?? [], ...(decision.masterId ? { masterId: decision.masterId } : {}), ...(decision.candidates ? { candidates: decision.candidates } : {}) };
    writes.push({
      external_id: id,
      local_kind: localId ? kind : null,
      local_id: localId,
      status,
      code: decision.code,
      decision: stored,
      snapshot: s,
      applied,
      field_sources: sources,
      email_normalized: email ?? (s.IsDeleted === true ? prev?.email_normalized ?? null : null),
      account_external_id: accountId,
      master_external_id: decision.masterId ?? null,
      crm_modstamp: text(s, 'SystemModstamp'),
      seen: r.fromCrm,
    });
    if (ctx.dryRun) {
      ctx.dryRun.record({ object, externalId: id, before: prev ? { status: prev.status, code: prev.code } : null, outcome: decision.outcome, status, code: decision.code, changedFields: plan ? Object.keys(plan.set) : [] });
      if (object === 'Account') ctx.dryRun.accounts.set(id, { status, localCompanyId: status === 'synced' || status === 'frozen' ? localId : null });
    }
    if (status === 'synced' || decision.outcome === 'delete_local') result.applied++;
    else result.skipped++;
    if (decision.code) result.codes[decision.code] = (result.codes[decision.code] ?? 0) + 1;
    for (const c of plan?.conflicts ?? []) result.codes[c.code] = (result.codes[c.code] ?? 0) + 1;

    // Facts other records were decided on changed: queue them for re-evaluation.
    const linkChanged = !prev || prev.status !== status || (prev.local_id ?? null) !== localId;
    if (object === 'Account' && linkChanged) reevalAccounts.push(id);
    if (isPerson(object) && (linkChanged || (prev?.email_normalized ?? null) !== (email ?? null))) {
      if (email) reevalEmails.add(email);
      if (prev?.email_normalized) reevalEmails.add(prev.email_normalized);
    }
  }

  if (ctx.dryRun) return result;
  await writeLocal();
  await writeRecords();
  await queueReevaluations();
  return result;

  function subject(k: 'company' | 'contact', localId: string, companyId: string | null) {
    return k === 'contact' ? { contact_id: localId, company_id: companyId } : { contact_id: null, company_id: localId };
  }

  function customOf(values: LocalValues): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(values)) if (k.startsWith('custom.')) out[k.slice('custom.'.length)] = v;
    return out;
  }

  async function findLookalikes(): Promise<void> {
    const wouldCreate = [...byId.entries()].filter(([id, r]) => {
      const prev = existing.get(id);
      return r.snapshot.IsDeleted !== true && !(prev && prev.status !== 'deleted_local' && prev.local_id) && !(emailOf.get(id) && localByEmail.has(emailOf.get(id)!));
    });
    if (wouldCreate.length === 0) return;
    if (object === 'Contact') {
      const wanted = new Map<string, string[]>();
      const companies = new Set<string>();
      for (const [id, r] of wouldCreate) {
        const company = accounts.get(text(r.snapshot, 'AccountId') ?? '')?.localCompanyId;
        const key = nameKey(text(r.snapshot, 'FirstName'), text(r.snapshot, 'LastName'));
        if (!company || !key) continue;
        companies.add(company);
        wanted.set(`${company}|${key}`, [...(wanted.get(`${company}|${key}`) ?? []), id]);
      }
      if (companies.size === 0) return;
      const rows = await tx
        .selectFrom('contacts as c')
        .select(['c.id', 'c.company_id', sql<string>`lower(btrim(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, '')))`.as('name_key')])
        .where(sql<boolean>`c.company_id = any(${[...companies]}::uuid[])`)
        .where('c.merged_into', 'is', null)
        .where(sql<boolean>`lower(btrim(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, ''))) = any(${[...new Set([...wanted.keys()].map((k) => k.slice(k.indexOf('|') + 1)))]}::text[])`)
        .where(({ not, exists, selectFrom }) => not(exists(selectFrom('sync_records as l').select('l.local_id').whereRef('l.local_id', '=', 'c.id').where('l.connector_id', '=', C))))
        .execute();
      for (const row of rows) for (const id of wanted.get(`${row.company_id}|${row.name_key}`) ?? []) lookalikesOf.set(id, [...(lookalikesOf.get(id) ?? []), row.id]);
    } else if (object === 'Account') {
      const names = [...new Set(wouldCreate.map(([, r]) => (text(r.snapshot, 'Name') ?? '').trim().toLowerCase()).filter(Boolean))];
      const domains = [...new Set(wouldCreate.flatMap(([, r]) => accountDomains(r.snapshot, ctx.settings)))];
      if (names.length === 0 && domains.length === 0) return;
      const rows = await tx
        .selectFrom('companies as c')
        .select(['c.id', 'c.name', 'c.domains'])
        .where(sql<boolean>`(lower(c.name) = any(${names}::text[]) or c.domains && ${domains}::text[])`)
        // A merged company's tombstone is nobody's lookalike: its primary holds its name and domains.
        .where('c.merged_into', 'is', null)
        .where(({ not, exists, selectFrom }) => not(exists(selectFrom('sync_records as l').select('l.local_id').whereRef('l.local_id', '=', 'c.id').where('l.connector_id', '=', C))))
        .execute();
      for (const [id, r] of wouldCreate) {
        const name = (text(r.snapshot, 'Name') ?? '').trim().toLowerCase();
        const doms = new Set(accountDomains(r.snapshot, ctx.settings));
        const hits = rows.filter((c) => c.name.toLowerCase() === name || c.domains.some((d) => doms.has(d))).map((c) => c.id);
        if (hits.length > 0) lookalikesOf.set(id, hits);
      }
    }
  }

  async function writeLocal(): Promise<void> {
    if (inserts.length > 0 && kind === 'contact' && ctx.copy) await copyContacts(ctx.copy, inserts);
    else if (inserts.length > 0) {
      const rows = inserts.map((i) => ({ id: i.id, ...i.columns }));
      if (kind === 'contact') {
        await sql`
          insert into contacts (id, email, email_normalized, first_name, last_name, company_id, consent, status, address, custom_fields)
          select id, email, email_normalized, first_name, last_name, company_id, coalesce(consent, 'unknown'), coalesce(status, 'active'), address::jsonb, coalesce(custom_fields::jsonb, '{}')
          from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(id uuid, email text, email_normalized text, first_name text, last_name text, company_id uuid, consent text, status text, address text, custom_fields text)`.execute(tx);
      } else {
        await sql`
          insert into companies (id, name, domains, type, address, custom_fields)
          select id, coalesce(name, '(no name in the CRM)'), coalesce(array(select jsonb_array_elements_text(domains)), '{}'), type, address::jsonb, coalesce(custom_fields::jsonb, '{}')
          from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(id uuid, name text, domains jsonb, type text, address text, custom_fields text)`.execute(tx);
      }
    }
    // Updates and deletions in id order (the lock order among contacts); a blocking change ends enrollments first.
    for (const u of [...updates].sort((a, b) => (a.id < b.id ? -1 : 1))) {
      if (kind === 'contact') {
        const code = blockingCode(u.set, u.before);
        if (code) {
          const ids = await endLiveEnrollmentsOfContact(tx, u.id, code);
          if (ids.length > 0) result.ended.push({ ids, reason: code });
        }
        await tx.updateTable('contacts').set({ ...u.columns, updated_at: new Date() }).where('id', '=', u.id).execute();
      } else {
        await tx.updateTable('companies').set({ ...u.columns, updated_at: new Date() }).where('id', '=', u.id).execute();
      }
    }
    for (const id of [...deletions].sort()) {
      const ids = await endLiveEnrollmentsOfContact(tx, id, 'DELETED_INACTIVE');
      if (ids.length > 0) result.ended.push({ ids, reason: 'DELETED_INACTIVE' });
      const logged = activities.find((a) => a.contact_id === id && a.type === 'crm_sync_deleted_inactive');
      if (logged) logged.data.endedEnrollmentIds = ids;
      await tx.deleteFrom('contacts').where('id', '=', id).execute();
    }
    if (activities.length > 0 && ctx.copy) await copyActivities(ctx.copy, ctx.actor, activities);
    else if (activities.length > 0) {
      await sql`
        insert into activities (contact_id, company_id, type, reason_code, data, actor)
        select contact_id, company_id, type, reason_code, data, ${ctx.actor}
        from jsonb_to_recordset(${JSON.stringify(activities)}::jsonb) as x(contact_id uuid, company_id uuid, type text, reason_code text, data jsonb)`.execute(tx);
    }
    for (const r of reviews) {
      await tx
        .insertInto('sync_review_items')
        .values({ connector_id: C, object, external_id: r.external_id, candidate_ids: r.candidates })
        .onConflict((oc) => oc.columns(['connector_id', 'object', 'external_id']).where('status', '=', 'open').doUpdateSet({ candidate_ids: r.candidates }))
        .execute();
    }
  }

  async function writeRecords(): Promise<void> {
    // A first load: nothing to version or to update.
    if (ctx.allNew && ctx.copy) return copyNewRecords(ctx.copy, { connectorId: C, object, cycleId: ctx.cycleId }, writes);
    // Earlier versions: what a record was before this cycle changed its snapshot or decision.
    const versions = writes.flatMap((w) => {
      const prev = existing.get(w.external_id);
      if (!prev) return [];
      const same = prev.status === w.status && prev.code === w.code && JSON.stringify(prev.snapshot) === JSON.stringify(w.snapshot);
      return same ? [] : [w.external_id];
    });
    if (versions.length > 0) {
      await sql`
        insert into sync_record_versions (connector_id, object, external_id, cycle_id, status, code, decision, snapshot, recorded_at)
        select connector_id, object, external_id, last_cycle_id, status, code, decision, snapshot, updated_at
        from sync_records where connector_id = ${C} and object = ${object} and external_id = any(${versions}::text[])`.execute(tx);
    }
    await sql`
      insert into sync_records as r (connector_id, object, external_id, local_kind, local_id, status, code, decision, snapshot, applied, field_sources,
        email_normalized, account_external_id, master_external_id, crm_modstamp, last_cycle_id, seen_cycle_id, created_at, updated_at)
      select ${C}::uuid, ${object}, x.external_id, x.local_kind, x.local_id, x.status, x.code, x.decision, x.snapshot, x.applied, x.field_sources,
        x.email_normalized, x.account_external_id, x.master_external_id, x.crm_modstamp, ${ctx.cycleId}::uuid, case when x.seen then ${ctx.cycleId}::uuid end, now(), now()
      from jsonb_to_recordset(${JSON.stringify(writes)}::jsonb) as x(external_id text, local_kind text, local_id uuid, status text, code text, decision jsonb,
        snapshot jsonb, applied jsonb, field_sources jsonb, email_normalized text, account_external_id text, master_external_id text, crm_modstamp timestamptz, seen boolean)
      on conflict (connector_id, object, external_id) do update set
        local_kind = excluded.local_kind, local_id = excluded.local_id, status = excluded.status, code = excluded.code, decision = excluded.decision,
        snapshot = excluded.snapshot, applied = excluded.applied, field_sources = excluded.field_sources, email_normalized = excluded.email_normalized,
        account_external_id = excluded.account_external_id, master_external_id = excluded.master_external_id,
        crm_modstamp = coalesce(excluded.crm_modstamp, r.crm_modstamp), last_cycle_id = excluded.last_cycle_id,
        seen_cycle_id = coalesce(excluded.seen_cycle_id, r.seen_cycle_id), updated_at = now()`.execute(tx);
  }

  async function queueReevaluations(): Promise<void> {
    if (reevalAccounts.length > 0) {
      await sql`
        insert into sync_pending (connector_id, object, external_id, op, priority)
        select connector_id, object, external_id, 'reeval', 1 from sync_records
        where connector_id = ${C} and object = 'Contact' and account_external_id = any(${reevalAccounts}::text[])
        on conflict do nothing`.execute(tx);
    }
    // Holders of the batch's emails are known from its lookup; only the emails its records moved away from need a query.
    const known = [...reevalEmails].flatMap((e) => holdersByEmail.get(e) ?? []);
    const left = [...reevalEmails].filter((e) => !emailsLookedUp.has(e));
    if (known.length > 0) {
      await sql`
        insert into sync_pending (connector_id, object, external_id, op, priority)
        select ${C}::uuid, x.object, x.external_id, 'reeval', 1 from unnest(${known.map((k) => k.object)}::text[], ${known.map((k) => k.external_id)}::text[]) as x(object, external_id)
        on conflict do nothing`.execute(tx);
    }
    if (left.length > 0) {
      await sql`
        insert into sync_pending (connector_id, object, external_id, op, priority)
        select connector_id, object, external_id, 'reeval', 1 from sync_records
        where connector_id = ${C} and object in ('Contact', 'Lead') and email_normalized = any(${left}::text[])
          and not (object = ${object} and external_id = any(${ids}::text[]))
        on conflict do nothing`.execute(tx);
    }
  }
}
