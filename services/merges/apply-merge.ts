/**
 * The merge itself, one transaction, under the lock order of db/lock-order.ts (contacts, in id order,
 * FOR UPDATE; then their enrollments; outbox rows follow their enrollment): conflicting live
 * enrollments (both contacts in one sequence) keep the one further along and end the other MERGED
 * through the contact lifecycle; every enrollment (with its outbox and tracking history), every
 * activity, the CRM/PSA links and the suppressions move to the primary; the duplicates become inert
 * tombstones. Every move is journalled (contact_merge_moves + the snapshot) so undo can reverse it.
 * Idempotent: a retry of a committed merge returns its recorded result.
 */
import { sql } from 'kysely';
import { recordActivity } from '../../db/activity-log';
import type { Db } from '../../db/database';
import type { Tx } from '../../db/lock-order';
import type { ContactRow } from '../../db/schema';
import type { MergeableField } from '../../domain/duplicates/vocabulary';
import { normalizeEmail } from '../../domain/email-address';
import type { ReasonCode } from '../../domain/reason-codes';
import { LIVE_ENROLLMENT_STATUSES } from '../../domain/sequences/vocabulary';
import type { MergeApplyResult } from '../../workflows/merge/contract';
import { endEnrollments } from '../contacts/lifecycle';
import { isErasedOrErasing } from './erasure-check';
import { mergedValues, type MergedValues } from './merge-fields';

export interface MergeSnapshot {
  before: ContactRow[];
  primaryAfter: MergedValues;
}

interface EnrollmentFacts {
  id: string;
  contact_id: string;
  sequence_id: string;
  status: string;
  created_at: Date;
  progress: number;
}

/** Further along = more steps handed to the mailbox (sent, uncertain, blocked, skipped); then the older one. */
function furthestAlong(a: EnrollmentFacts, b: EnrollmentFacts): EnrollmentFacts {
  if (a.progress !== b.progress) return a.progress > b.progress ? a : b;
  return a.created_at.getTime() <= b.created_at.getTime() ? a : b;
}

export async function applyMerge(db: Db, mergeId: string, opts: { erasureSecret: string; undoWindowMs: number; actor: string }): Promise<MergeApplyResult> {
  return db.transaction().execute(async (tx): Promise<MergeApplyResult> => {
    const merge = await tx.selectFrom('contact_merges').selectAll().where('id', '=', mergeId).forUpdate().executeTakeFirstOrThrow();
    if (merge.status !== 'running') {
      const ended = (merge.result?.endedEnrollmentIds as string[] | undefined) ?? [];
      return merge.status === 'completed' || merge.status === 'undone' ? { status: 'completed', endedEnrollmentIds: ended } : { status: 'refused', code: merge.code ?? 'MERGE_FAILED', endedEnrollmentIds: [] };
    }
    const duplicateIds = merge.duplicate_ids;
    const ids = [merge.primary_id, ...duplicateIds].sort();
    const refuse = async (code: ReasonCode | 'NOT_FOUND', message: string): Promise<MergeApplyResult> => {
      await tx.updateTable('contact_merges').set({ status: 'refused', code, message, completed_at: new Date() }).where('id', '=', mergeId).execute();
      return { status: 'refused', code, endedEnrollmentIds: [] };
    };

    const locked = await tx.selectFrom('contacts').selectAll().where('id', 'in', ids).orderBy('id').forUpdate().execute();
    const byId = new Map(locked.map((c) => [c.id, c]));
    const missing = ids.filter((id) => !byId.has(id));
    if (missing.length > 0) return refuse('NOT_FOUND', `Contact ${missing.join(', ')} no longer exists.`);
    const merged = locked.filter((c) => c.merged_into !== null);
    if (merged.length > 0) return refuse('MERGED', `Contact ${merged.map((c) => `${c.id} was merged into ${c.merged_into}`).join('; ')}.`);
    if (await isErasedOrErasing(tx, ids, opts.erasureSecret)) return refuse('ERASED', 'One of the contacts is an erased subject (GDPR); erased subjects are never merged.');

    const primary = byId.get(merge.primary_id)!;
    const duplicates = duplicateIds.map((id) => byId.get(id)!);
    const after = mergedValues(primary, duplicates, merge.fields as Partial<Record<MergeableField, string>>);

    // Enrollments (lock step 2): one live enrollment per sequence survives, the one further along.
    const enrollments = await sql<EnrollmentFacts>`
      select e.id, e.contact_id, e.sequence_id, e.status, e.created_at,
        (select count(*)::int from email_sends s where s.enrollment_id = e.id and s.status <> 'pending') as progress
      from enrollments e where e.contact_id = any(${ids}::uuid[]) order by e.id for update of e`.execute(tx);
    const live = enrollments.rows.filter((e) => (LIVE_ENROLLMENT_STATUSES as readonly string[]).includes(e.status));
    const keep = new Map<string, EnrollmentFacts>();
    for (const e of live) keep.set(e.sequence_id, keep.has(e.sequence_id) ? furthestAlong(keep.get(e.sequence_id)!, e) : e);
    const losers = live.filter((e) => keep.get(e.sequence_id)!.id !== e.id);
    const endedEnrollmentIds = await endEnrollments(tx, losers.map((e) => e.id), 'MERGED');

    const movedEnrollments = await journalAndMove(tx, mergeId, 'enrollment', 'enrollments', duplicateIds, primary.id);
    const movedActivities = await journalAndMove(tx, mergeId, 'activity', 'activities', duplicateIds, primary.id);
    const carriedSuppression = await carrySuppression(tx, mergeId, locked, after.email);

    await tx
      .updateTable('contacts')
      .set({ ...after, email_normalized: after.email ? normalizeEmail(after.email) : null, external_ids: JSON.stringify(after.external_ids), updated_at: new Date() })
      .where('id', '=', primary.id)
      .execute();
    await tx
      .updateTable('contacts')
      .set({ merged_into: primary.id, merged_at: new Date(), email: null, email_normalized: null, first_name: null, last_name: null, company_id: null, time_zone: null, owner_id: null, external_ids: '{}', updated_at: new Date() })
      .where('id', 'in', duplicateIds)
      .execute();
    await tx
      .updateTable('duplicate_pairs')
      .set({ status: 'merged', cluster_id: null, updated_at: new Date() })
      .where('status', '=', 'open')
      .where((eb) => eb.or([eb('contact_a', 'in', duplicateIds), eb('contact_b', 'in', duplicateIds)]))
      .execute();

    const changedFields = (Object.keys(after) as (keyof MergedValues)[]).filter((k) => JSON.stringify(after[k]) !== JSON.stringify(primary[k]));
    for (const e of losers.filter((l) => endedEnrollmentIds.includes(l.id))) {
      await recordActivity(tx, { contactId: primary.id, companyId: after.company_id, type: 'unenrolled', reasonCode: 'MERGED', data: { enrollmentId: e.id, sequenceId: e.sequence_id, keptEnrollmentId: keep.get(e.sequence_id)!.id, mergeId }, actor: opts.actor });
    }
    const result = { movedActivities, movedEnrollments, endedEnrollmentIds, carriedSuppression, changedFields };
    await recordActivity(tx, { contactId: primary.id, companyId: after.company_id, type: 'contacts_merged', data: { mergeId, duplicateIds, ...result }, actor: opts.actor });
    for (const d of duplicates) await recordActivity(tx, { contactId: d.id, type: 'contact_merged_into', reasonCode: 'MERGED', data: { mergeId, primaryId: primary.id }, actor: opts.actor });

    const snapshot: MergeSnapshot = { before: locked, primaryAfter: after };
    const now = new Date();
    await tx
      .updateTable('contact_merges')
      .set({ status: 'completed', completed_at: now, undo_until: new Date(now.getTime() + opts.undoWindowMs), snapshot: JSON.stringify(snapshot), result: JSON.stringify(result) })
      .where('id', '=', mergeId)
      .execute();
    return { status: 'completed', endedEnrollmentIds };
  });
}

/** Journals every row of `table` owned by the duplicates, then moves them to the primary; returns how many. */
async function journalAndMove(tx: Tx, mergeId: string, kind: 'activity' | 'enrollment', table: 'activities' | 'enrollments', duplicateIds: string[], primaryId: string): Promise<number> {
  await sql`
    insert into contact_merge_moves (merge_id, kind, row_ref, from_contact_id)
    select ${mergeId}::uuid, ${kind}, id::text, contact_id from ${sql.table(table)} where contact_id = any(${duplicateIds}::uuid[])`.execute(tx);
  const moved = await sql`update ${sql.table(table)} set contact_id = ${primaryId}::uuid where contact_id = any(${duplicateIds}::uuid[])`.execute(tx);
  return Number(moved.numAffectedRows ?? 0);
}

/**
 * A suppression (unsubscribe, bounce, complaint, manual) on any merged address is the person's: the
 * primary's address after the merge is suppressed too (journalled, so undo removes it again).
 */
async function carrySuppression(tx: Tx, mergeId: string, contacts: ContactRow[], finalEmail: string | null): Promise<string | null> {
  if (!finalEmail) return null;
  const finalAddress = normalizeEmail(finalEmail);
  const addresses = [...new Set(contacts.flatMap((c) => (c.email_normalized ? [c.email_normalized] : [])))];
  const existing = await tx.selectFrom('suppressions').select(['id', 'address_normalized', 'reason']).where('address_normalized', 'in', addresses.length ? addresses : [finalAddress]).execute();
  if (existing.length === 0 || existing.some((s) => s.address_normalized === finalAddress)) return null;
  const source = existing[0]!;
  const from = contacts.find((c) => c.email_normalized === source.address_normalized)!;
  if (source.reason === 'erased') return null;
  const row = await tx
    .insertInto('suppressions')
    .values({ address_normalized: finalAddress, reason: source.reason, note: `carried over by merge ${mergeId} from contact ${from.id}`, created_by: `merge:${mergeId}` })
    .onConflict((oc) => oc.column('address_normalized').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!row) return null;
  await tx.insertInto('contact_merge_moves').values({ merge_id: mergeId, kind: 'suppression', row_ref: row.id, from_contact_id: from.id }).execute();
  return row.id;
}

export async function failMerge(db: Db, mergeId: string, code: string, message: string): Promise<void> {
  await db.updateTable('contact_merges').set({ status: 'failed', code, message, completed_at: new Date() }).where('id', '=', mergeId).where('status', '=', 'running').execute();
}
