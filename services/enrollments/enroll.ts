/**
 * Bulk enrollment: every rule for every contact (all failing codes, not the first), one batched
 * read of the facts, one insert, one activity insert, then workflow starts with bounded concurrency.
 * The database's one-live-enrollment index is the final word on ALREADY_ENROLLED: a concurrent
 * request that wins the race makes this one report ALREADY_ENROLLED instead of a second enrollment.
 */
import type { Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/database';
import { loadEnrollmentFactsBatch } from '../../db/enrollment-facts';
import { endLiveEnrollments } from '../../db/enrollments';
import { requireSetting, type AppConfig } from '../../domain/config';
import type { ReasonCode } from '../../domain/reason-codes';
import { classifyCodes, evaluateSequenceRules } from '../../domain/sequences/rules';
import { LIVE_ENROLLMENT_STATUSES } from '../../domain/sequences/vocabulary';
import { startEnrollmentWorkflows } from '../../temporal/enrollment-workflows';
import type { TemporalLogger } from '../../temporal/logger';
import type { Actor } from '../actor';
import { mayWriteContact } from '../contacts/ownership';
import { erasedContacts } from '../erasure/erased-subject';

export interface EnrollResult {
  contactId: string;
  status: 'enrolled' | 'rejected';
  enrollmentId?: string;
  reasons: ReasonCode[];
}

export async function enrollContacts(
  deps: { db: Db; temporal: Client; config: Pick<AppConfig, 'TEMPORAL_TASK_QUEUE' | 'ERASURE_HASH_SECRET'> },
  sequenceId: string,
  contactIds: readonly string[],
  opts: { actor: Actor; log?: TemporalLogger },
): Promise<EnrollResult[]> {
  const { db, temporal, config } = deps;
  const facts = await loadEnrollmentFactsBatch(db, sequenceId, contactIds);
  const owners = await contactOwners(db, contactIds);
  const erased = await erasedContacts(db, requireSetting(config, 'ERASURE_HASH_SECRET'), [...owners.entries()].map(([id, o]) => ({ id, email_normalized: o.email_normalized })));
  const verdicts = new Map<string, { reject: ReasonCode[]; hold: ReasonCode[] }>();
  for (const id of contactIds) {
    const { reject, hold } = classifyCodes(evaluateSequenceRules(facts.get(id)!, 'enroll'), 'enroll');
    // Enrolling is a write on the contact: a rep enrolls their own or unowned contacts.
    const owner = owners.get(id);
    if (owner !== undefined && !mayWriteContact(opts.actor, { id, owner_id: owner.owner_id })) reject.unshift('NOT_OWNER');
    // An erased subject is never enrolled again, whatever else holds.
    if (erased.has(id)) reject.unshift('ERASED');
    verdicts.set(id, { reject, hold });
  }

  const accepted = contactIds.filter((id) => verdicts.get(id)!.reject.length === 0);
  const created = await insertEnrollments(db, sequenceId, accepted, opts.actor);
  const refs = [...created].map(([contactId, enrollmentId]) => ({ enrollmentId, contactId, sequenceId }));
  const started = await startEnrollmentWorkflows(temporal, config.TEMPORAL_TASK_QUEUE, refs, (err, ref) => opts.log?.error({ err, enrollmentId: ref.enrollmentId }, 'enrollment workflow did not start'));
  const failed = refs.filter((r) => !started.get(r.enrollmentId));
  for (const ref of failed) {
    // No workflow, no enrollment: free the slot so the request can simply be retried. Insisted on: the
    // start may have failed because PostgreSQL (ours and Temporal's) is restarting, and a live row
    // left without a workflow would hold the contact as enrolled with nothing ever sent.
    await retryForAWhile(() => endLiveEnrollments(db, { enrollmentId: ref.enrollmentId }, 'WORKFLOW_START_FAILED'));
  }
  const failedIds = new Set(failed.map((r) => r.enrollmentId));

  return contactIds.map((contactId): EnrollResult => {
    const { reject, hold } = verdicts.get(contactId)!;
    if (reject.length > 0) return { contactId, status: 'rejected', reasons: [...reject, ...hold] };
    const enrollmentId = created.get(contactId);
    if (!enrollmentId) return { contactId, status: 'rejected', reasons: ['ALREADY_ENROLLED', ...hold] };
    if (failedIds.has(enrollmentId)) return { contactId, status: 'rejected', reasons: ['WORKFLOW_START_FAILED'] };
    return { contactId, status: 'enrolled', enrollmentId, reasons: hold };
  });
}

async function contactOwners(db: Db, contactIds: readonly string[]): Promise<Map<string, { owner_id: string | null; email_normalized: string | null }>> {
  if (contactIds.length === 0) return new Map();
  const rows = await db.selectFrom('contacts').select(['id', 'owner_id', 'email_normalized']).where('id', 'in', contactIds).execute();
  return new Map(rows.map((r) => [r.id, r]));
}

/**
 * Inserts the enrollments and their `enrolled` activities; returns contactId → enrollmentId for those
 * inserted. A rep who enrolls an unowned contact claims it.
 */
async function insertEnrollments(db: Db, sequenceId: string, contactIds: readonly string[], actor: Actor): Promise<Map<string, string>> {
  if (contactIds.length === 0) return new Map();
  const userId = actor.userId;
  return db.transaction().execute(async (tx) => {
    const rows = await tx
      .insertInto('enrollments')
      .values(contactIds.map((contactId) => ({ id: randomUUID(), sequence_id: sequenceId, contact_id: contactId, enrolled_by: userId })))
      .onConflict((oc) => oc.columns(['sequence_id', 'contact_id']).where('status', 'in', LIVE_ENROLLMENT_STATUSES).doNothing())
      .returning(['id', 'contact_id'])
      .execute();
    if (rows.length > 0) {
      await tx
        .insertInto('activities')
        .values(
          rows.map((r) => ({
            contact_id: r.contact_id,
            type: 'enrolled',
            data: JSON.stringify({ enrollmentId: r.id, sequenceId }),
            actor: userId ? `user:${userId}` : 'system',
            dedupe_key: `enrolled:${r.id}`,
          })),
        )
        .onConflict((oc) => oc.column('dedupe_key').doNothing())
        .execute();
    }
    if (actor.role === 'rep' && userId !== null && rows.length > 0) {
      await tx.updateTable('contacts').set({ owner_id: userId }).where('id', 'in', rows.map((r) => r.contact_id)).where('owner_id', 'is', null).execute();
    }
    return new Map(rows.map((r) => [r.contact_id, r.id]));
  });
}

/** Retries a database write for up to 30 s (a PostgreSQL restart), then gives up with its last error. */
async function retryForAWhile<T>(write: () => Promise<T>, budgetMs = 30_000): Promise<T> {
  const deadline = Date.now() + budgetMs;
  for (;;) {
    try {
      return await write();
    } catch (err) {
      if (Date.now() >= deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
