/**
 * Sequence steps and the edit rule for live sequences (documented in the README):
 *  - steps keep stable ids; an edit replaces the list, and each listed id keeps its row;
 *  - a step missing from the new list is marked removed (never deleted): enrollments skip it;
 *  - live enrollments read content and delay when they reach a step, so an edit applies to every
 *    step an enrollment has not reached yet, and never to one already sent;
 *  - the next step of an enrollment is the first live step after the furthest live step it has
 *    handled, so a step inserted before that point is passed over, not sent out of order.
 */
import type { Db } from './database';
import type { SendStatus } from '../domain/sequences/vocabulary';
import { parseIsoDuration } from '../domain/duration';

export interface StepEdit {
  id?: string;
  subject: string;
  html?: string | null;
  text?: string | null;
  delay: string;
}

/** Outbox states after which a step counts as handled (done, whatever the outcome). */
export const HANDLED_SEND_STATUSES: readonly SendStatus[] = ['sent', 'uncertain', 'blocked', 'skipped'];

function delayMs(delay: string): number {
  const parsed = parseIsoDuration(delay);
  if (!parsed.ok) throw new Error(`invalid delay reached the database layer: ${parsed.error}`);
  return parsed.ms;
}

/**
 * Applies a full step list to a sequence (create or edit) inside the caller's transaction.
 * Ids are checked by the caller (ids of other sequences are refused with a 400).
 */
export async function saveSteps(tx: Db, sequenceId: string, edits: readonly StepEdit[]): Promise<void> {
  const existing = await tx.selectFrom('sequence_steps').select(['id', 'removed_at']).where('sequence_id', '=', sequenceId).execute();
  const existingIds = new Set(existing.map((s) => s.id));
  const keep = new Set(edits.flatMap((e) => (e.id ? [e.id] : [])));
  const now = new Date();

  const removed = existing.filter((s) => s.removed_at === null && !keep.has(s.id)).map((s) => s.id);
  if (removed.length > 0) {
    await tx.updateTable('sequence_steps').set({ removed_at: now, updated_at: now }).where('id', 'in', removed).execute();
  }
  for (const [position, e] of edits.entries()) {
    const values = { position, subject: e.subject, html: e.html ?? null, text: e.text ?? null, delay: e.delay, delay_ms: delayMs(e.delay), updated_at: now };
    if (e.id && existingIds.has(e.id)) {
      // Listing a removed step's id again restores it.
      await tx.updateTable('sequence_steps').set({ ...values, removed_at: null }).where('id', '=', e.id).execute();
    } else {
      await tx.insertInto('sequence_steps').values({ ...(e.id ? { id: e.id } : {}), sequence_id: sequenceId, ...values }).execute();
    }
  }
}

/** Step ids of the list that already belong to another sequence (a 400 for the caller). */
export async function foreignStepIds(db: Db, sequenceId: string | null, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  let q = db.selectFrom('sequence_steps').select('id').where('id', 'in', ids);
  if (sequenceId) q = q.where('sequence_id', '!=', sequenceId);
  return new Set((await q.execute()).map((r) => r.id));
}

export interface LiveStep {
  id: string;
  delayMs: number;
}

/** Live (not removed) steps in order. */
export async function loadLiveSteps(db: Db, sequenceId: string): Promise<LiveStep[]> {
  const rows = await db
    .selectFrom('sequence_steps')
    .select(['id', 'delay_ms'])
    .where('sequence_id', '=', sequenceId)
    .where('removed_at', 'is', null)
    .orderBy('position')
    .orderBy('created_at')
    .execute();
  return rows.map((r) => ({ id: r.id, delayMs: Number(r.delay_ms) }));
}

/** Index in `live` of the furthest step the enrollment has handled; -1 when none. */
export function furthestHandledIndex(live: readonly { id: string }[], handled: ReadonlySet<string>): number {
  for (let i = live.length - 1; i >= 0; i--) {
    if (handled.has(live[i]!.id)) return i;
  }
  return -1;
}

/** The step an enrollment sends next, or null when it has handled every live step it can reach. */
export function nextStep<T extends { id: string }>(live: readonly T[], handled: ReadonlySet<string>): T | null {
  return live[furthestHandledIndex(live, handled) + 1] ?? null;
}
