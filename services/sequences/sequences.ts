/**
 * Sequences (admin writes, reps read). Created as draft; edits of a live sequence keep step ids
 * (see db/sequence-steps.ts for the rule) and wake live enrollments so they re-plan their next step.
 */
import type { Client } from '@temporalio/client';
import type { Db } from '../../db/database';
import { endLiveEnrollments, liveEnrollmentIdsOfSequence } from '../../db/enrollments';
import { pageInCreationOrder } from '../../db/pagination';
import { foreignStepIds, saveSteps, type StepEdit } from '../../db/sequence-steps';
import type { SequenceRow, SequenceStepRow } from '../../db/schema';
import { DEFAULT_SEND_WINDOW, type SendWindow } from '../../domain/sequences/send-window';
import type { SequenceStatus } from '../../domain/sequences/vocabulary';
import { signalEnrollments } from '../../temporal/enrollment-workflows';
import { conflict, invalidFields, notFound, type FieldProblem } from '../errors';

export interface SequenceFields {
  name?: string;
  mailboxId?: string;
  sendWindow?: SendWindow | null;
  timeZone?: string;
  unenrollOnReply?: boolean;
  steps?: StepEdit[];
}

export interface SequenceWithSteps {
  sequence: SequenceRow;
  steps: SequenceStepRow[];
}

/** Allowed state changes: action → (from states, to state). Repeating the current state is a no-op. */
export const SEQUENCE_TRANSITIONS = {
  activate: { from: ['draft'], to: 'active' },
  pause: { from: ['active'], to: 'paused' },
  resume: { from: ['paused'], to: 'active' },
  archive: { from: ['draft', 'active', 'paused'], to: 'archived' },
} as const satisfies Record<string, { from: readonly SequenceStatus[]; to: SequenceStatus }>;
export type SequenceAction = keyof typeof SEQUENCE_TRANSITIONS;

export async function getSequence(db: Db, id: string): Promise<SequenceWithSteps> {
  const sequence = await db.selectFrom('sequences').selectAll().where('id', '=', id).executeTakeFirst();
  if (!sequence) throw notFound('Sequence', id);
  const steps = await db.selectFrom('sequence_steps').selectAll().where('sequence_id', '=', id).execute();
  return { sequence, steps };
}

export async function listSequences(db: Db, q: { limit: number; cursor?: string; status?: SequenceStatus }): Promise<{ items: SequenceWithSteps[]; nextCursor: string | null }> {
  let query = db.selectFrom('sequences').selectAll();
  if (q.status) query = query.where('status', '=', q.status);
  const { rows, nextCursor } = await pageInCreationOrder(query, q);
  const steps = rows.length ? await db.selectFrom('sequence_steps').selectAll().where('sequence_id', 'in', rows.map((s) => s.id)).execute() : [];
  return { items: rows.map((sequence) => ({ sequence, steps: steps.filter((st) => st.sequence_id === sequence.id) })), nextCursor };
}

/** References a body makes: the mailbox must exist; step ids may not belong to another sequence. */
async function checkReferences(db: Db, sequenceId: string | null, b: SequenceFields): Promise<void> {
  const details: FieldProblem[] = [];
  if (b.mailboxId) {
    const m = await db.selectFrom('mailboxes').select('id').where('id', '=', b.mailboxId).executeTakeFirst();
    if (!m) details.push({ path: 'body.mailboxId', problem: 'no mailbox with this id' });
  }
  const ids = (b.steps ?? []).flatMap((s) => (s.id ? [s.id] : []));
  const foreign = await foreignStepIds(db, sequenceId, ids);
  b.steps?.forEach((s, i) => {
    if (s.id && foreign.has(s.id)) details.push({ path: `body.steps.${i}.id`, problem: 'this id belongs to a step of another sequence' });
  });
  if (details.length) throw invalidFields(details);
}

export async function createSequence(db: Db, b: SequenceFields & { name: string; mailboxId: string; steps: StepEdit[] }): Promise<SequenceWithSteps> {
  await checkReferences(db, null, b);
  const id = await db.transaction().execute(async (tx) => {
    const row = await tx
      .insertInto('sequences')
      .values({
        name: b.name,
        mailbox_id: b.mailboxId,
        send_window: JSON.stringify(b.sendWindow === undefined ? DEFAULT_SEND_WINDOW : b.sendWindow),
        time_zone: b.timeZone,
        unenroll_on_reply: b.unenrollOnReply,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await saveSteps(tx, row.id, b.steps);
    return row.id;
  });
  return getSequence(db, id);
}

export async function updateSequence(deps: { db: Db; temporal: Client }, id: string, b: SequenceFields): Promise<SequenceWithSteps> {
  const { db } = deps;
  await checkReferences(db, id, b);
  await db.transaction().execute(async (tx) => {
    const row = await tx.selectFrom('sequences').select('status').where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row) throw notFound('Sequence', id);
    if (row.status === 'archived') throw conflict('SEQUENCE_ARCHIVED', 'The sequence is archived; it can no longer be edited.');
    await tx
      .updateTable('sequences')
      .set({
        ...(b.name !== undefined && { name: b.name }),
        ...(b.mailboxId !== undefined && { mailbox_id: b.mailboxId }),
        ...(b.sendWindow !== undefined && { send_window: JSON.stringify(b.sendWindow) }),
        ...(b.timeZone !== undefined && { time_zone: b.timeZone }),
        ...(b.unenrollOnReply !== undefined && { unenroll_on_reply: b.unenrollOnReply }),
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .execute();
    if (b.steps) await saveSteps(tx, id, b.steps);
  });
  await signalEnrollments(deps.temporal, await liveEnrollmentIdsOfSequence(db, id), { kind: 'gatesChanged' });
  return getSequence(db, id);
}

export async function transitionSequence(deps: { db: Db; temporal: Client }, id: string, action: SequenceAction): Promise<SequenceWithSteps> {
  const { from, to } = SEQUENCE_TRANSITIONS[action];
  const changed = await deps.db.transaction().execute(async (tx) => {
    const row = await tx.selectFrom('sequences').select('status').where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row) throw notFound('Sequence', id);
    if (row.status === to) return false;
    if (!(from as readonly SequenceStatus[]).includes(row.status)) {
      throw conflict('INVALID_STATE_TRANSITION', `Cannot ${action} a sequence that is ${row.status}; ${action} applies to ${from.join(' or ')} sequences.`);
    }
    await tx.updateTable('sequences').set({ status: to, updated_at: new Date() }).where('id', '=', id).execute();
    return true;
  });
  if (changed) await wakeEnrollments(deps, id, action);
  return getSequence(deps.db, id);
}

/**
 * Pause / resume: every live enrollment re-checks now (holding with SEQUENCE_PAUSED, or continuing).
 * Archive: live enrollments end at once with SEQUENCE_ARCHIVED (in the database first, so nothing
 * more is claimed), rather than at their next due step days later.
 */
async function wakeEnrollments(deps: { db: Db; temporal: Client }, sequenceId: string, action: SequenceAction): Promise<void> {
  if (action === 'archive') {
    const ended = await endLiveEnrollments(deps.db, { sequenceId }, 'SEQUENCE_ARCHIVED');
    await signalEnrollments(deps.temporal, ended, { kind: 'end', reason: 'SEQUENCE_ARCHIVED' });
    return;
  }
  if (action === 'activate') return; // a draft has no enrollments
  await signalEnrollments(deps.temporal, await liveEnrollmentIdsOfSequence(deps.db, sequenceId), { kind: 'gatesChanged' });
}
