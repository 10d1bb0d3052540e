/**
 * The enrollment as the API shows it, built from the database alone (enrollment row, outbox rows,
 * steps), so it answers even when Temporal is busy. Every step that is not plain "pending" says why.
 */
import { isLiveEnrollment } from '../domain/sequences/vocabulary';
import { sql } from 'kysely';
import type { Db } from './database';
import type { EnrollmentStatus, SendStatus } from '../domain/sequences/vocabulary';
import { furthestHandledIndex, HANDLED_SEND_STATUSES } from './sequence-steps';

export type StepViewStatus = 'pending' | 'sent' | 'deferred' | 'skipped' | 'uncertain';

export interface StepView {
  id: string;
  status: StepViewStatus;
  sentAt?: string;
  reasons: string[];
}

export interface EnrollmentView {
  id: string;
  contactId: string;
  sequenceId: string;
  status: EnrollmentStatus;
  endedReason?: string;
  currentStepId: string | null;
  nextSendAt?: string;
  waitingFor: string[];
  steps: StepView[];
  createdAt: string;
}

interface StepRow {
  id: string;
  sequence_id: string;
  position: number;
  removed_at: Date | null;
  created_at: Date;
}

interface SendRow {
  step_id: string;
  status: SendStatus;
  reason_code: string | null;
  sent_at: Date | null;
  has_html: boolean;
}

export async function loadEnrollmentViews(db: Db, where: { ids: readonly string[] } | { contactId: string }): Promise<EnrollmentView[]> {
  if ('ids' in where && where.ids.length === 0) return [];
  let q = db.selectFrom('enrollments').selectAll().orderBy('created_at').orderBy('id');
  q = 'ids' in where ? q.where('id', 'in', where.ids) : q.where('contact_id', '=', where.contactId);
  const enrollments = await q.execute();
  if (enrollments.length === 0) return [];

  const sequenceIds = [...new Set(enrollments.map((e) => e.sequence_id))];
  // Removed steps keep their last position; at a tie the removed one was there first.
  const steps = await db
    .selectFrom('sequence_steps')
    .select(['id', 'sequence_id', 'position', 'removed_at', 'created_at'])
    .where('sequence_id', 'in', sequenceIds)
    .orderBy('position')
    .orderBy(sql`removed_at is null`)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const sends = await db
    .selectFrom('email_sends')
    .select(['enrollment_id', 'step_id', 'status', 'reason_code', 'sent_at', 'has_html'])
    .where('enrollment_id', 'in', enrollments.map((e) => e.id))
    .execute();

  return enrollments.map((e) => {
    const rows = new Map(sends.filter((s) => s.enrollment_id === e.id).map((s) => [s.step_id, s]));
    const view: EnrollmentView = {
      id: e.id,
      contactId: e.contact_id,
      sequenceId: e.sequence_id,
      status: e.status,
      currentStepId: e.current_step_id,
      waitingFor: e.waiting_for,
      steps: stepViews(e, steps.filter((s) => s.sequence_id === e.sequence_id), rows),
      createdAt: e.created_at.toISOString(),
    };
    if (e.ended_reason) view.endedReason = e.ended_reason;
    if (e.next_send_at && isLiveEnrollment(e.status)) view.nextSendAt = e.next_send_at.toISOString();
    return view;
  });
}

function stepViews(
  e: { status: EnrollmentStatus; ended_reason: string | null; ended_at: Date | null; created_at: Date; current_step_id: string | null; waiting_for: string[] },
  steps: StepRow[],
  rows: Map<string, SendRow>,
): StepView[] {
  const live = steps.filter((s) => s.removed_at === null);
  const handled = new Set([...rows.values()].filter((r) => HANDLED_SEND_STATUSES.includes(r.status)).map((r) => r.step_id));
  const furthest = furthestHandledIndex(live, handled);
  const views: StepView[] = [];
  for (const step of steps) {
    const row = rows.get(step.id);
    const mapped = row ? fromRow(row) : undefined;
    if (mapped) {
      views.push({ id: step.id, ...mapped });
      continue;
    }
    if (step.removed_at !== null) {
      // Steps removed before this enrollment existed were never part of it.
      if (step.removed_at > e.created_at) views.push({ id: step.id, status: 'skipped', reasons: ['STEP_REMOVED'] });
      continue;
    }
    if (!isLiveEnrollment(e.status)) {
      // Steps added after the enrollment finished were never part of it either.
      if (e.ended_at && step.created_at > e.ended_at) continue;
      views.push({ id: step.id, status: 'skipped', reasons: [e.ended_reason ?? 'STEP_PASSED'] });
      continue;
    }
    if (live.indexOf(step) <= furthest) {
      views.push({ id: step.id, status: 'skipped', reasons: ['STEP_PASSED'] });
    } else if (step.id === e.current_step_id && e.waiting_for.length > 0) {
      views.push({ id: step.id, status: 'deferred', reasons: [...e.waiting_for] });
    } else {
      views.push({ id: step.id, status: 'pending', reasons: [] });
    }
  }
  return views;
}

/** A row decides the step, except `pending` (a released claim): that step is judged like one without a row. */
function fromRow(row: SendRow): Omit<StepView, 'id'> | undefined {
  switch (row.status) {
    case 'sent':
      return { status: 'sent', ...(row.sent_at ? { sentAt: row.sent_at.toISOString() } : {}), reasons: row.has_html ? [] : ['OPEN_TRACKING_UNAVAILABLE_PLAIN_TEXT'] };
    case 'uncertain':
      return { status: 'uncertain', reasons: [row.reason_code ?? 'SEND_UNCERTAIN'] };
    case 'blocked':
    case 'skipped':
      return { status: 'skipped', reasons: row.reason_code ? [row.reason_code] : [] };
    case 'claimed':
      return { status: 'pending', reasons: [] };
    case 'pending':
      return undefined;
  }
}
