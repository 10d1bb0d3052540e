/**
 * The outbound half of a cycle (issue 11 "Outbound"): the connector's queue of local changes is pushed
 * to the CRM, one kind at a time (companies, then contacts, then email activity, so a contact finds its
 * account and an activity its person), owned records first, up to the cycle's record cap
 * (QUEUED_OVER_CAP for the rest). Per batch:
 *
 * 1. unlinked contacts whose email a CRM person has are re-decided by the inbound rules (they link);
 * 2. the CRM records about to be updated are read again (Collections retrieve): a change made there
 *    since the last read is applied first, by the inbound rules, so a field changed on both sides
 *    takes the CRM value and is not pushed back (no ping-pong);
 * 3. every entry is decided (domain/sync/outbound-rules.ts) and planned field by field
 *    (domain/sync/outbound-plan.ts);
 * 4. the writes go out (outbound-write.ts: Collections, or Bulk API 2.0 above 2,000 rows), creates as
 *    upserts on our external id, so a retry after a crash never duplicates a record;
 * 5. one transaction records the links, what was pushed, the log, and settles the entries it read
 *    (an entry whose record changed meanwhile stays queued). Refused rows keep their Salesforce code
 *    and are retried next cycle, up to OUTBOUND_MAX_ATTEMPTS.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database';
import { activityTask } from '../../domain/sync/outbound-rules';
import { planCrmWrite, snapshotAfterPush, type OutboundPlan } from '../../domain/sync/outbound-plan';
import { fieldsToRead, text, toSnapshot, type CrmSnapshot } from '../../domain/sync/snapshot';
import type { OutboundKind, SyncObject } from '../../domain/sync/vocabulary';
import { normalizeEmail } from '../../domain/email-address';
import type { SalesforceClient } from '../../integrations/salesforce';
import { applyRecords, type ApplyContext, type ApplyResult } from './apply-records';
import { addCycleCounts, recordCycleError } from './cycles';
import { accountIdsOf, crmPeopleByEmail, decideBatch, linksOf, loadLocalRecords, type DecidedRecord } from './outbound-facts';
import { writeRows, type WriteResult, type WriteRow } from './outbound-write';

/** Queue entries decided per batch (one transaction settles them). */
export const OUTBOUND_BATCH = 10_000;
/** Refusals before an entry waits for its record to change again (state failed). */
export const OUTBOUND_MAX_ATTEMPTS = 5;
const KINDS: readonly OutboundKind[] = ['company', 'contact', 'activity'];
/** Codes that keep an entry queued (retried next cycle) rather than parked. */
const STAYS_QUEUED = new Set<string>(['CRM_CHANGE_PENDING']);

export interface PushBatchResult {
  state: 'more' | 'done';
  decided: number;
  pushed: number;
  failed: number;
  /** Inbound applies made on the way (their ended enrollments are signalled after commit). */
  inbound: ApplyResult[];
}

interface Entry {
  local_id: string;
  change_seq: string;
}

interface Write {
  decided: DecidedRecord;
  object: SyncObject | 'Task';
  op: 'upsert' | 'update';
  row: WriteRow;
  plan: OutboundPlan | null;
}

const DONE: PushBatchResult = { state: 'done', decided: 0, pushed: 0, failed: 0, inbound: [] };

/** Parked entries whose facts changed (their company or person is now linked and synced) are queued again. */
export async function requeueResolved(db: Db, connectorId: string): Promise<number> {
  const res = await sql`
    update sync_outbound o set state = 'queued', code = null, change_seq = nextval('sync_outbound_change_seq'), enqueued_at = now()
    where o.connector_id = ${connectorId} and o.state = 'parked' and (
      (o.local_kind = 'company' and exists (select 1 from sync_records r where r.connector_id = o.connector_id and r.local_kind = 'company' and r.local_id::text = o.local_id and r.status = 'synced'))
      or (o.local_kind in ('contact', 'activity') and o.code not in ('ERASED', 'INVALID_EMAIL')
        and exists (select 1 from sync_records r where r.connector_id = o.connector_id and r.local_kind = 'contact' and r.local_id = o.contact_id and r.status = 'synced'))
      or (o.local_kind = 'contact' and o.code = 'NO_LINKED_COMPANY' and exists (
        select 1 from contacts c join sync_records r on r.connector_id = o.connector_id and r.local_kind = 'company' and r.local_id = c.company_id and r.status = 'synced'
        where c.id = o.contact_id))
      or (o.local_kind = 'contact' and o.code = 'UNASSIGNED_NO_CRM_MATCH' and exists (
        select 1 from contacts c join sync_records r on r.connector_id = o.connector_id and r.email_normalized = c.email_normalized and r.object in ('Contact', 'Lead') and r.status <> 'stopped' and r.local_id is null
        where c.id = o.contact_id)))`.execute(db);
  return Number(res.numAffectedRows ?? 0);
}

/** Every local company and contact queued once (outbound just turned on: each is decided). */
export async function queueEverything(db: Db, connectorId: string): Promise<void> {
  await sql`
    insert into sync_outbound (connector_id, local_kind, local_id)
    select ${connectorId}::uuid, 'company', id::text from companies
    on conflict do nothing`.execute(db);
  await sql`
    insert into sync_outbound (connector_id, local_kind, local_id, contact_id, priority)
    select ${connectorId}::uuid, 'contact', c.id::text, c.id, case when c.owner_id is null then 1 else 0 end from contacts c
    where c.merged_into is null and c.id not in (select unnest(r.contact_ids) from erasure_requests r where r.contact_ids is not null)
    on conflict do nothing`.execute(db);
}

export async function pushOutboundBatch(db: Db, client: SalesforceClient, ctx: ApplyContext): Promise<PushBatchResult> {
  const C = ctx.connectorId;
  if (!ctx.settings.outbound) return DONE;
  const cycle = await db.selectFrom('sync_cycles').select(['outbound_read', 'outbound_pushed', 'outbound_failed']).where('id', '=', ctx.cycleId).executeTakeFirstOrThrow();
  if (cycle.outbound_read === 0) await requeueResolved(db, C);
  const capLeft = ctx.settings.recordCap - cycle.outbound_pushed - cycle.outbound_failed;
  for (const kind of KINDS) {
    if (kind === 'activity' && !ctx.settings.pushActivities) continue;
    const entries = await db
      .selectFrom('sync_outbound')
      .select(['local_id', 'change_seq'])
      .where('connector_id', '=', C)
      .where('state', '=', 'queued')
      .where('local_kind', '=', kind)
      .where(sql<boolean>`last_cycle_id is distinct from ${ctx.cycleId}::uuid`)
      .orderBy('priority')
      .orderBy('enqueued_at')
      .orderBy('local_id')
      .limit(OUTBOUND_BATCH)
      .execute();
    if (entries.length === 0) continue;
    if (capLeft <= 0) {
      await markOverCap(db, C, ctx.cycleId, kind);
      continue;
    }
    return { state: 'more', ...(await pushEntries(db, client, ctx, kind, entries, capLeft)) };
  }
  return DONE;
}

async function markOverCap(db: Db, connectorId: string, cycleId: string, kind: OutboundKind): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const rows = await tx
      .updateTable('sync_outbound')
      .set({ code: sql`coalesce(code, 'QUEUED_OVER_CAP')`, last_cycle_id: cycleId })
      .where('connector_id', '=', connectorId)
      .where('state', '=', 'queued')
      .where('local_kind', '=', kind)
      .where(sql<boolean>`last_cycle_id is distinct from ${cycleId}::uuid`)
      .returning('code')
      .execute();
    const over = rows.filter((r) => r.code === 'QUEUED_OVER_CAP').length;
    if (over > 0) await addCycleCounts(tx, cycleId, { codes: { QUEUED_OVER_CAP: over } });
  });
}

async function pushEntries(db: Db, client: SalesforceClient, ctx: ApplyContext, kind: OutboundKind, entries: Entry[], capLeft: number): Promise<Omit<PushBatchResult, 'state'>> {
  const C = ctx.connectorId;
  const callsBefore = client.stats().apiCalls;
  const inbound: ApplyResult[] = [];
  const seqOf = new Map(entries.map((e) => [e.local_id, e.change_seq]));
  let locals = await loadLocalRecords(db, kind, entries.map((e) => e.local_id));

  if (kind === 'contact') inbound.push(...(await linkByEmail(db, ctx, [...locals.values()].flatMap((r) => (r.emailNormalized ? [{ id: r.localId, email: r.emailNormalized }] : [])))));
  let decided = await decideBatch(db, ctx, kind, [...locals.values()]);
  if (kind !== 'activity') {
    const refreshed = await refreshTargets(db, client, ctx, decided);
    if (refreshed.length > 0) {
      inbound.push(...refreshed);
      locals = await loadLocalRecords(db, kind, entries.map((e) => e.local_id));
      decided = await decideBatch(db, ctx, kind, [...locals.values()]);
    }
  }

  // Plan the writes, owned records first (the entries' order), up to the cap.
  const companies = kind === 'contact' ? [...new Set([...locals.values()].flatMap((r) => (r.companyId ? [r.companyId] : [])))] : [];
  const accountIds = await accountIdsOf(db, C, companies);
  const accountOf = (companyId: string | null) => (companyId ? (accountIds.get(companyId) ?? null) : null);
  const order = new Map(entries.map((e, i) => [e.local_id, i]));
  decided.sort((a, b) => order.get(a.record.localId)! - order.get(b.record.localId)!);
  const writes: Write[] = [];
  const settled: DecidedRecord[] = [];
  const deferred = new Set<string>();
  for (const d of decided) {
    const w = planWrite(d, ctx, accountOf);
    if (!w) settled.push(d);
    else if (writes.length < capLeft) writes.push(w);
    else deferred.add(d.record.localId);
  }

  // The CRM writes, by object and operation (accounts, then people, then tasks: one kind per batch).
  const results = new Map<string, WriteResult>();
  const groups = new Map<string, Write[]>();
  for (const w of writes) groups.set(`${w.object}|${w.op}`, [...(groups.get(`${w.object}|${w.op}`) ?? []), w]);
  for (const [key, group] of groups) {
    const [object, op] = key.split('|') as [string, 'upsert' | 'update'];
    const out = await writeRows(client, { object, op, externalIdField: ctx.settings.externalIdField, rows: group.map((g) => g.row) });
    for (const [k, r] of out) results.set(k, r);
  }
  const apiCalls = client.stats().apiCalls - callsBefore;

  // One transaction settles what this batch read.
  let pushed = 0;
  let failed = 0;
  const gone = entries.filter((e) => !locals.has(e.local_id)).map((e) => e.local_id);
  await db.transaction().execute(async (tx) => {
    const codes: Record<string, number> = {};
    const count = (code: string | null) => code && (codes[code] = (codes[code] ?? 0) + 1);
    const done: string[] = [...gone];
    for (const d of settled) {
      count(d.decision.code);
      if (d.decision.outcome === 'park') await settle(tx, C, ctx.cycleId, kind, d, seqOf.get(d.record.localId)!, STAYS_QUEUED.has(d.decision.code ?? '') ? 'queued' : 'parked');
      else done.push(d.record.localId);
    }
    const failures: Array<{ key: string; errorCode: string }> = [];
    const links: Array<Record<string, unknown>> = [];
    const logs: Array<Record<string, unknown>> = [];
    for (const w of writes) {
      const key = w.row.key;
      const r = results.get(key) ?? { ok: false as const, errorCode: 'NO_RESULT', fields: [] };
      const fields = w.plan?.pushed ?? [];
      if (!r.ok) {
        failed++;
        failures.push({ key, errorCode: r.errorCode });
        logs.push({ object: w.object, external_id: w.decided.link?.externalId ?? null, local_id: key, outcome: 'failed', code: 'CRM_WRITE_FAILED', error_code: r.errorCode, fields });
        continue;
      }
      pushed++;
      done.push(key);
      const created = w.op === 'upsert';
      logs.push({ object: w.object, external_id: r.id, local_id: key, outcome: created && r.created !== false ? 'created' : 'updated', code: null, error_code: null, fields });
      if (w.object !== 'Task' && w.plan) links.push(linkWrite(ctx, w, r.id, kind as 'company' | 'contact'));
    }
    await writeLinks(tx, C, ctx.cycleId, links);
    if (logs.length > 0) {
      await sql`
        insert into sync_record_pushes (connector_id, object, external_id, local_kind, local_id, cycle_id, outcome, code, error_code, fields)
        select ${C}::uuid, x.object, x.external_id, ${kind}, x.local_id, ${ctx.cycleId}::uuid, x.outcome, x.code, x.error_code, array(select jsonb_array_elements_text(x.fields))
        from jsonb_to_recordset(${JSON.stringify(logs)}::jsonb) as x(object text, external_id text, local_id text, outcome text, code text, error_code text, fields jsonb)`.execute(tx);
    }
    if (done.length > 0) {
      // Settled only if the record did not change again meanwhile (then it stays queued).
      await sql`
        delete from sync_outbound o using jsonb_to_recordset(${JSON.stringify(done.map((id) => ({ id, seq: seqOf.get(id) })))}::jsonb) as x(id text, seq bigint)
        where o.connector_id = ${C} and o.local_kind = ${kind} and o.local_id = x.id and o.change_seq = x.seq`.execute(tx);
    }
    for (const f of failures) {
      await tx
        .updateTable('sync_outbound')
        .set({
          attempts: sql`attempts + 1`,
          state: sql`case when attempts + 1 >= ${OUTBOUND_MAX_ATTEMPTS} then 'failed' else 'queued' end`,
          code: 'CRM_WRITE_FAILED',
          error_code: f.errorCode,
          last_cycle_id: ctx.cycleId,
          decided_at: new Date(),
        })
        .where('connector_id', '=', C)
        .where('local_kind', '=', kind)
        .where('local_id', '=', f.key)
        .where('change_seq', '=', seqOf.get(f.key)!)
        .execute();
      count('CRM_WRITE_FAILED');
    }
    const byError = new Map<string, string[]>();
    for (const f of failures) byError.set(f.errorCode, [...(byError.get(f.errorCode) ?? []), f.key]);
    for (const [errorCode, keys] of byError) await recordCycleError(tx, ctx.cycleId, { code: 'CRM_WRITE_FAILED', errorCode, records: keys });
    if (deferred.size > 0) {
      await tx
        .updateTable('sync_outbound')
        .set({ code: sql`coalesce(code, 'QUEUED_OVER_CAP')`, last_cycle_id: ctx.cycleId })
        .where('connector_id', '=', C)
        .where('local_kind', '=', kind)
        .where('local_id', 'in', [...deferred])
        .execute();
      codes.QUEUED_OVER_CAP = (codes.QUEUED_OVER_CAP ?? 0) + deferred.size;
    }
    await addCycleCounts(tx, ctx.cycleId, { codes, apiCalls });
    await tx
      .updateTable('sync_cycles')
      .set({ outbound_read: sql`outbound_read + ${entries.length}`, outbound_pushed: sql`outbound_pushed + ${pushed}`, outbound_failed: sql`outbound_failed + ${failed}` })
      .where('id', '=', ctx.cycleId)
      .execute();
  });
  return { decided: entries.length, pushed, failed, inbound };
}

/** The write a decided record needs, or null (parked, or nothing changed). */
function planWrite(d: DecidedRecord, ctx: ApplyContext, accountOf: (companyId: string | null) => string | null): Write | null {
  const { record, decision } = d;
  const ext = ctx.settings.externalIdField;
  if (decision.outcome === 'park') return null;
  if (record.kind === 'activity') {
    return { decided: d, object: 'Task', op: 'upsert', plan: null, row: { key: record.localId, fields: activityTask({ id: record.localId, type: record.activity!.type, occurredAt: record.activity!.occurredAt }, decision.target!.externalId, ext) } };
  }
  if (decision.outcome === 'update') {
    const link = d.link!;
    const plan = planCrmWrite({ object: link.object, settings: ctx.settings, local: record.values, applied: link.applied, sources: link.sources, snapshot: link.snapshot ?? ({ Id: link.externalId } as CrmSnapshot), accountOf });
    if (Object.keys(plan.fields).length === 0) return null;
    return { decided: d, object: link.object, op: 'update', plan, row: { key: record.localId, fields: { ...plan.fields, Id: link.externalId } } };
  }
  const plan = planCrmWrite({ object: 'Contact', settings: ctx.settings, local: record.values, applied: {}, sources: {}, snapshot: null, accountOf });
  // Salesforce requires a last name: "[not provided]" is its own convention for an unknown one.
  const fields = { ...plan.fields, LastName: plan.fields.LastName ?? '[not provided]', AccountId: decision.accountId ?? null, [ext]: record.localId };
  return { decided: d, object: 'Contact', op: 'upsert', plan: { ...plan, fields }, row: { key: record.localId, fields } };
}

function linkWrite(ctx: ApplyContext, w: Write, externalId: string, kind: 'company' | 'contact'): Record<string, unknown> {
  const object = w.object as SyncObject;
  const before = w.op === 'update' ? (w.decided.link?.snapshot ?? null) : null;
  const snapshot = snapshotAfterPush(object, ctx.settings, before, externalId, w.plan!.fields);
  const email = text(snapshot, 'Email');
  return {
    object,
    external_id: externalId,
    local_kind: kind,
    local_id: w.decided.record.localId,
    created: w.op === 'upsert',
    decision: { outcome: 'create', code: null, direction: 'outbound', checks: w.decided.decision.checks, conflicts: w.plan!.conflicts },
    snapshot,
    applied: w.plan!.applied,
    field_sources: w.plan!.sources,
    email_normalized: email ? normalizeEmail(email) : null,
    account_external_id: object === 'Contact' ? text(snapshot, 'AccountId') : null,
  };
}

/** Links of created records (new rows) and what updates pushed (applied values, sources, the patched snapshot). */
async function writeLinks(tx: Db, connectorId: string, cycleId: string, links: Array<Record<string, unknown>>): Promise<void> {
  if (links.length === 0) return;
  await sql`
    insert into sync_records as r (connector_id, object, external_id, local_kind, local_id, status, code, decision, snapshot, applied, field_sources, email_normalized, account_external_id, last_cycle_id, created_at, updated_at)
    select ${connectorId}::uuid, x.object, x.external_id, x.local_kind, x.local_id, 'synced', null, x.decision, x.snapshot, x.applied, x.field_sources, x.email_normalized, x.account_external_id, ${cycleId}::uuid, now(), now()
    from jsonb_to_recordset(${JSON.stringify(links)}::jsonb) as x(object text, external_id text, local_kind text, local_id uuid, created boolean, decision jsonb, snapshot jsonb, applied jsonb, field_sources jsonb, email_normalized text, account_external_id text)
    on conflict (connector_id, object, external_id) do update set
      local_kind = coalesce(r.local_kind, excluded.local_kind), local_id = coalesce(r.local_id, excluded.local_id),
      status = case when r.local_id is null or r.local_id = excluded.local_id then 'synced' else r.status end,
      snapshot = excluded.snapshot, applied = excluded.applied, field_sources = excluded.field_sources,
      email_normalized = coalesce(excluded.email_normalized, r.email_normalized), updated_at = r.updated_at`.execute(tx);
}

async function settle(tx: Db, connectorId: string, cycleId: string, kind: OutboundKind, d: DecidedRecord, seq: string, state: 'queued' | 'parked'): Promise<void> {
  await tx
    .updateTable('sync_outbound')
    .set({ state, code: d.decision.code, decision: JSON.stringify({ outcome: d.decision.outcome, code: d.decision.code, checks: d.decision.checks }), last_cycle_id: cycleId, decided_at: new Date() })
    .where('connector_id', '=', connectorId)
    .where('local_kind', '=', kind)
    .where('local_id', '=', d.record.localId)
    .where('change_seq', '=', seq)
    .execute();
}

/**
 * Unlinked contacts whose email a CRM person (Contact or Lead) has: those CRM records are decided again
 * by the inbound rules from their stored snapshots, which link them to the contact (CRM wins on the
 * fields, as any inbound link) unless a rule says no.
 */
async function linkByEmail(db: Db, ctx: ApplyContext, contacts: Array<{ id: string; email: string }>): Promise<ApplyResult[]> {
  if (contacts.length === 0) return [];
  const linked = await linksOf(db, ctx.connectorId, 'contact', contacts.map((c) => c.id));
  const unlinked = contacts.filter((c) => !linked.has(c.id) || linked.get(c.id)!.status === 'stopped');
  const people = await crmPeopleByEmail(db, ctx.connectorId, [...new Set(unlinked.map((c) => c.email))]);
  const byObject = new Map<SyncObject, CrmSnapshot[]>();
  for (const matches of people.values()) {
    for (const m of matches) if (m.linkedLocalId === null && m.snapshot) byObject.set(m.object, [...(byObject.get(m.object) ?? []), { ...m.snapshot, Id: m.externalId } as CrmSnapshot]);
  }
  const out: ApplyResult[] = [];
  for (const object of ['Contact', 'Lead'] as const) {
    const snapshots = byObject.get(object) ?? [];
    if (snapshots.length > 0) out.push(await db.transaction().execute((tx) => applyRecords(tx, ctx, object, snapshots.map((snapshot) => ({ snapshot, fromCrm: false })))));
  }
  return out;
}

/**
 * The CRM records about to be updated, read again: one changed since its last read is applied first
 * by the inbound rules (and its change-feed entry with it), so the push works from the CRM's current
 * values; one gone from the CRM is left to the change feed (its delete is queued).
 */
async function refreshTargets(db: Db, client: SalesforceClient, ctx: ApplyContext, decided: DecidedRecord[]): Promise<ApplyResult[]> {
  const targets = decided.filter((d) => d.decision.outcome === 'update' && d.link);
  const out: ApplyResult[] = [];
  for (const object of ['Account', 'Contact', 'Lead'] as const) {
    const links = targets.map((d) => d.link!).filter((l) => l.object === object);
    if (links.length === 0) continue;
    const fields = fieldsToRead(object, ctx.settings);
    const fresh = await client.retrieve(object, links.map((l) => l.externalId), fields);
    const changed: CrmSnapshot[] = [];
    const gone: string[] = [];
    links.forEach((l, i) => {
      const raw = fresh[i];
      if (!raw) return void gone.push(l.externalId);
      const snapshot = toSnapshot(raw, fields, ctx.settings);
      const stamp = text(snapshot, 'SystemModstamp');
      const newer = !l.crmModstamp || (stamp !== null && new Date(stamp).getTime() > l.crmModstamp.getTime());
      // Salesforce stamps to the second: a value that differs from the stored read is a change too.
      const differs = fields.some((f) => f !== 'SystemModstamp' && JSON.stringify(snapshot[f] ?? null) !== JSON.stringify(l.snapshot?.[f] ?? null));
      if (newer || differs) changed.push(snapshot);
    });
    if (changed.length === 0 && gone.length === 0) continue;
    out.push(
      await db.transaction().execute(async (tx) => {
        if (gone.length > 0) {
          await sql`
            insert into sync_pending (connector_id, object, external_id, op, priority)
            select ${ctx.connectorId}::uuid, ${object}, id, 'delete', 0 from unnest(${gone}::text[]) as id
            on conflict (connector_id, object, external_id) do nothing`.execute(tx);
        }
        const ids = changed.map((s) => s.Id);
        if (ids.length > 0) await tx.deleteFrom('sync_pending').where('connector_id', '=', ctx.connectorId).where('object', '=', object).where('op', '=', 'upsert').where('external_id', 'in', ids).execute();
        const applied = await applyRecords(tx, ctx, object, changed.map((snapshot) => ({ snapshot, fromCrm: true })));
        await addCycleCounts(tx, ctx.cycleId, { read: changed.length, applied: applied.applied, skipped: applied.skipped, codes: applied.codes });
        return applied;
      }),
    );
  }
  return out;
}

