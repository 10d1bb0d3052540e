/**
 * Contact merges as the API sees them: request (checks, then the `merge-<primaryId>` workflow), status,
 * undo. Reps merge and undo contacts they own (or unowned ones); admins all (services/contacts/ownership.ts).
 */
import type { Client } from '@temporalio/client';
import { sql } from 'kysely';
import { recordActivity } from '../../db/activity-log';
import type { Db } from '../../db/database';
import type { ContactMergeRow } from '../../db/schema-duplicates-import';
import { requireSetting, type AppConfig } from '../../domain/config';
import type { MergeableField } from '../../domain/duplicates/vocabulary';
import { normalizeEmail } from '../../domain/email-address';
import { startMergeWorkflow } from '../../temporal/merge-workflows';
import { mergeContract } from '../../workflows/merge/contract';
import { actorLabel, type Actor } from '../actor';
import { assertMayWriteContact } from '../contacts/ownership';
import { recomputeClusters } from '../duplicates/clusters';
import { conflict, invalidFields, notFound, type FieldProblem } from '../errors';
import type { MergeSnapshot } from './apply-merge';
import { isErasedOrErasing } from './erasure-check';

export interface MergeDeps {
  db: Db;
  temporal: Client;
  config: AppConfig;
}

export interface MergeRequest {
  duplicateIds: string[];
  fields?: Partial<Record<MergeableField, string>>;
}

export async function requestMerge(deps: MergeDeps, primaryId: string, body: MergeRequest, actor: Actor): Promise<ContactMergeRow> {
  const { db, config } = deps;
  const problems: FieldProblem[] = [];
  const duplicateIds = [...new Set(body.duplicateIds)];
  if (duplicateIds.includes(primaryId)) problems.push({ path: 'body.duplicateIds', problem: 'must not contain the primary contact itself' });
  const members = new Set([primaryId, ...duplicateIds]);
  for (const [field, from] of Object.entries(body.fields ?? {})) {
    if (!members.has(from)) problems.push({ path: `body.fields.${field}`, problem: 'must be the id of the primary or of one of the duplicates' });
  }
  if (problems.length) throw invalidFields(problems);

  const ids = [primaryId, ...duplicateIds];
  const contacts = await db.selectFrom('contacts').select(['id', 'owner_id', 'merged_into']).where('id', 'in', ids).execute();
  for (const id of ids) if (!contacts.some((c) => c.id === id)) throw notFound('Contact', id);
  for (const c of contacts) if (c.merged_into) throw conflict('MERGED', `Contact ${c.id} was already merged into ${c.merged_into}.`);
  for (const c of contacts) assertMayWriteContact(actor, c);
  if (await isErasedOrErasing(db, ids, requireSetting(config, 'ERASURE_HASH_SECRET'))) throw conflict('ERASED', 'One of the contacts is an erased subject (GDPR); erased subjects are never merged.');

  const merge = await db
    .insertInto('contact_merges')
    .values({ primary_id: primaryId, duplicate_ids: duplicateIds, fields: JSON.stringify(body.fields ?? {}), requested_by: actor.userId, workflow_id: mergeContract.id(primaryId) })
    .onConflict((oc) => oc.column('primary_id').where(sql<boolean>`status = 'running'`).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!merge) throw conflict('MERGE_IN_PROGRESS', `A merge into contact ${primaryId} is already running; wait for it to finish.`);
  let started: boolean;
  try {
    started = await startMergeWorkflow(deps.temporal, config.TEMPORAL_TASK_QUEUE, { mergeId: merge.id, primaryId });
  } catch (err) {
    await db.updateTable('contact_merges').set({ status: 'failed', code: 'TEMPORAL_UNAVAILABLE', completed_at: new Date() }).where('id', '=', merge.id).execute();
    throw err;
  }
  if (!started) {
    await db.updateTable('contact_merges').set({ status: 'failed', code: 'MERGE_IN_PROGRESS', completed_at: new Date() }).where('id', '=', merge.id).execute();
    throw conflict('MERGE_IN_PROGRESS', `A merge into contact ${primaryId} is already running; wait for it to finish.`);
  }
  return merge;
}

export async function getMerge(db: Db, id: string): Promise<ContactMergeRow> {
  const row = await db.selectFrom('contact_merges').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Merge', id);
  return row;
}

export interface UndoResult {
  merge: ContactMergeRow;
  restoredActivities: number;
  restoredEnrollments: number;
  /** Enrollments the merge ended (MERGED): moved back to their contact, but they stay ended. */
  enrollmentsStillEnded: string[];
  /** Primary fields edited after the merge: undo kept the later edit. */
  keptLaterEdits: string[];
}

const CONTACT_FIELDS = ['email', 'first_name', 'last_name', 'company_id', 'time_zone', 'consent', 'status', 'owner_id', 'external_ids'] as const;

/**
 * Undoes a completed merge within MERGE_UNDO_WINDOW: the duplicates come back with their data, and
 * exactly what the merge moved (journal) moves back; the primary's fields the merge set go back to
 * their earlier values unless edited since. Refused once a contact of the merge took part in a later merge.
 */
export async function undoMerge(deps: Pick<MergeDeps, 'db'>, mergeId: string, actor: Actor, now: Date = new Date()): Promise<UndoResult> {
  const { db } = deps;
  const first = await getMerge(db, mergeId);
  const primaryOwner = await db.selectFrom('contacts').select(['id', 'owner_id']).where('id', '=', first.primary_id).executeTakeFirst();
  if (!primaryOwner) throw conflict('MERGE_UNDO_BLOCKED', `Contact ${first.primary_id} (the primary) no longer exists.`);
  assertMayWriteContact(actor, primaryOwner);

  const result = await db.transaction().execute(async (tx) => {
    const merge = await tx.selectFrom('contact_merges').selectAll().where('id', '=', mergeId).forUpdate().executeTakeFirstOrThrow();
    if (merge.status === 'undone') throw conflict('MERGE_ALREADY_UNDONE', `Merge ${mergeId} was already undone.`);
    if (merge.status !== 'completed') throw conflict('MERGE_NOT_COMPLETED', `Merge ${mergeId} is ${merge.status}; only a completed merge can be undone.`);
    if (!merge.undo_until || now > merge.undo_until || merge.snapshot === null) throw conflict('MERGE_UNDO_EXPIRED', `Merge ${mergeId} is older than the undo window (until ${merge.undo_until?.toISOString() ?? '—'}).`);
    const snapshot = merge.snapshot as MergeSnapshot;
    const ids = [merge.primary_id, ...merge.duplicate_ids].sort();
    const locked = await tx.selectFrom('contacts').selectAll().where('id', 'in', ids).orderBy('id').forUpdate().execute();
    const primary = locked.find((c) => c.id === merge.primary_id);
    const blocked = !primary || primary.merged_into !== null || merge.duplicate_ids.some((d) => locked.find((c) => c.id === d)?.merged_into !== merge.primary_id);
    if (blocked) throw conflict('MERGE_UNDO_BLOCKED', `A contact of merge ${mergeId} was deleted or merged again since; the merge cannot be undone.`);
    await tx.selectFrom('enrollments').select('id').where('contact_id', '=', merge.primary_id).orderBy('id').forUpdate().execute();

    const back = (table: 'enrollments' | 'activities', kind: 'enrollment' | 'activity') => sql`
      update ${sql.table(table)} t set contact_id = m.from_contact_id
      from contact_merge_moves m
      where m.merge_id = ${mergeId}::uuid and m.kind = ${kind} and t.id = m.row_ref::${sql.raw(table === 'enrollments' ? 'uuid' : 'bigint')} and t.contact_id = ${merge.primary_id}::uuid`.execute(tx);
    const restoredEnrollments = Number((await back('enrollments', 'enrollment')).numAffectedRows ?? 0);
    const restoredActivities = Number((await back('activities', 'activity')).numAffectedRows ?? 0);
    await sql`delete from suppressions s using contact_merge_moves m where m.merge_id = ${mergeId}::uuid and m.kind = 'suppression' and s.id = m.row_ref::uuid`.execute(tx);

    const before = new Map(snapshot.before.map((c) => [c.id, c]));
    const primaryBefore = before.get(merge.primary_id)!;
    const restore: Record<string, unknown> = {};
    const keptLaterEdits: string[] = [];
    for (const f of CONTACT_FIELDS) {
      const setByMerge = JSON.stringify(snapshot.primaryAfter[f]);
      if (setByMerge === JSON.stringify(primaryBefore[f])) continue;
      if (JSON.stringify(primary![f]) !== setByMerge) keptLaterEdits.push(f);
      else restore[f] = f === 'external_ids' ? JSON.stringify(primaryBefore[f]) : primaryBefore[f];
    }
    if (restore.email !== undefined) restore.email_normalized = restore.email ? normalizeEmail(restore.email as string) : null;
    if (Object.keys(restore).length > 0) await tx.updateTable('contacts').set({ ...restore, updated_at: now }).where('id', '=', merge.primary_id).execute();
    for (const d of merge.duplicate_ids) {
      const was = before.get(d)!;
      await tx
        .updateTable('contacts')
        .set({ merged_into: null, merged_at: null, email: was.email, email_normalized: was.email_normalized, first_name: was.first_name, last_name: was.last_name, company_id: was.company_id, time_zone: was.time_zone, owner_id: was.owner_id, external_ids: JSON.stringify(was.external_ids), updated_at: now })
        .where('id', '=', d)
        .execute();
    }
    await tx
      .updateTable('duplicate_pairs')
      .set({ status: 'open', updated_at: now })
      .where('status', '=', 'merged')
      .where((eb) => eb.or([eb('contact_a', 'in', merge.duplicate_ids), eb('contact_b', 'in', merge.duplicate_ids)]))
      .execute();

    const ended = ((merge.result?.endedEnrollmentIds as string[] | undefined) ?? []).slice();
    const data = { mergeId, restoredActivities, restoredEnrollments, enrollmentsStillEnded: ended, keptLaterEdits };
    await recordActivity(tx, { contactId: merge.primary_id, type: 'merge_undone', data, actor: actorLabel(actor) });
    for (const d of merge.duplicate_ids) await recordActivity(tx, { contactId: d, type: 'merge_undone', data: { mergeId, primaryId: merge.primary_id }, actor: actorLabel(actor) });
    const undone = await tx
      .updateTable('contact_merges')
      .set({ status: 'undone', undone_at: now, undone_by: actor.userId, snapshot: null })
      .where('id', '=', mergeId)
      .returningAll()
      .executeTakeFirstOrThrow();
    return { merge: undone, restoredActivities, restoredEnrollments, enrollmentsStillEnded: ended, keptLaterEdits };
  });
  await recomputeClusters(db, { contactIds: [first.primary_id, ...first.duplicate_ids] });
  return result;
}

/** Personal data of merges past their undo window is no longer needed: the snapshot goes (the nightly scan calls this). */
export async function purgeExpiredMergeSnapshots(db: Db, now: Date = new Date()): Promise<number> {
  const r = await db.updateTable('contact_merges').set({ snapshot: null }).where('snapshot', 'is not', null).where('undo_until', '<', now).executeTakeFirst();
  return Number(r.numUpdatedRows);
}
